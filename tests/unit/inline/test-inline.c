/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-inline.c - inline_scan() on inl-target.c built with DWARF: the exact
 * copies of each function, their callers' names and entries (checked
 * against .symtab) and their call sites (checked against the source).
 *
 * Arguments: the library built with -g, the same built with -g0, and the
 * source file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "packer/inline.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *lib_path, *nodebug_path;

/* The fixture's source, one string per line (lines[1] is line 1). */
static char *source;
static char **lines;
static size_t nlines;

struct elf_open {
	int fd;
	Elf *elf;
};

static void elf_open(const char *path, struct elf_open *ret_e)
{
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	ret_e->fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(ret_e->fd >= 0);
	ret_e->elf = elf_begin(ret_e->fd, ELF_C_READ_MMAP, NULL);
	assert_non_null(ret_e->elf);
}

static void elf_close(struct elf_open *e)
{
	elf_end(e->elf);
	close(e->fd);
}

/*
 * Whether .symtab has a function @name; a @name ending in '.' stands for
 * any of the compiler's local names "name.N", "name.constprop.N", ...
 */
static bool symbol_find(Elf *elf, const char *name, GElf_Addr *ret_value)
{
	size_t len = strlen(name);
	bool prefix = len > 0 && name[len - 1] == '.';
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr shdr;
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_SYMTAB || shdr.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		for (size_t i = 1; data && i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF)
				continue;
			const char *s = elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (s && (prefix ? strncmp(s, name, len) == 0 : strcmp(s, name) == 0)) {
				*ret_value = sym.st_value;
				return true;
			}
		}
	}
	return false;
}

static GElf_Addr symbol_value(Elf *elf, const char *name)
{
	GElf_Addr value = 0;
	if (!symbol_find(elf, name, &value))
		fail_msg("no function '%s' in .symtab of '%s'", name, lib_path);
	return value;
}

/* One copy expected: of @function, in @caller, whose symbol is @symbol. */
struct want {
	const char *function;
	const char *caller;
	const char *symbol;
};

/* Check @u against @w, except the function name; true if it is @w's copy. */
static bool use_matches(Elf *elf, const struct inline_use *u, const struct want *w)
{
	if (strcmp(u->function, w->function) != 0 || strcmp(u->caller, w->caller) != 0)
		return false;
	assert_int_equal(u->caller_addr, symbol_value(elf, w->symbol));
	assert_non_null(u->file);
	const char *base = strrchr(u->file, '/');
	assert_string_equal(base ? base + 1 : u->file, "inl-target.c");
	/* The call site names the function: "scale(x)" on that source line. */
	assert_true(u->line > 0 && u->line <= nlines);
	char call[64];
	snprintf(call, sizeof(call), "%s(", u->function);
	if (!strstr(lines[u->line], call))
		fail_msg("line %u of the source does not call '%s': %s", u->line, u->function, lines[u->line]);
	return true;
}

/*
 * Scan the DWARF of the -g library for @names: exactly the copies in
 * @wants, in any order.  Returns the uses for further checks.
 */
static struct inline_use *scan_expect(const char *const *names, size_t n, const struct want *wants, size_t nwants,
				      size_t *ret_n)
{
	struct elf_open e;
	struct inline_use *uses = NULL;
	size_t nuses = 0;
	bool taken[16] = { false };
	assert_true(nwants <= ARRAY_SIZE(taken));
	elf_open(lib_path, &e);
	assert_int_equal(inline_scan(e.elf, names, n, &uses, &nuses), 0);
	for (size_t i = 0; i < nuses; i++) {
		const struct inline_use *u = &uses[i];
		/* Points into @names, not to a copy. */
		size_t k = 0;
		while (k < n && u->function != names[k])
			k++;
		assert_true(k < n);
		size_t j = 0;
		while (j < nwants && (taken[j] || !use_matches(e.elf, u, &wants[j])))
			j++;
		if (j == nwants)
			fail_msg("unexpected copy of '%s' in '%s' (line %u)", u->function, u->caller, u->line);
		taken[j] = true;
	}
	assert_int_equal(nuses, nwants);
	elf_close(&e);
	*ret_n = nuses;
	return uses;
}

static void scan_check(const char *const *names, size_t n, const struct want *wants, size_t nwants)
{
	size_t nuses;
	struct inline_use *uses = scan_expect(names, n, wants, nwants, &nuses);
	inline_uses_free(uses, nuses);
}

static void test_two_callers(void **state)
{
	(void)state;
	const char *names[] = { "scale" };
	const struct want wants[] = {
		{ "scale", "api_one", "api_one" },
		{ "scale", "api_two", "api_two" },
	};
	scan_check(names, ARRAY_SIZE(names), wants, ARRAY_SIZE(wants));
}

/* Each copy is reported, in DWARF order, which here is source order. */
static void test_twice_in_one_caller(void **state)
{
	(void)state;
	const char *names[] = { "twice" };
	const struct want wants[] = {
		{ "twice", "api_twice", "api_twice" },
		{ "twice", "api_twice", "api_twice" },
	};
	size_t n;
	struct inline_use *uses = scan_expect(names, ARRAY_SIZE(names), wants, ARRAY_SIZE(wants), &n);
	assert_true(uses[0].line < uses[1].line);
	inline_uses_free(uses, n);
}

/* "deep" is inlined into the copy of "helper" in api_nested. */
static void test_copy_in_copy(void **state)
{
	(void)state;
	const char *names[] = { "deep" };
	const struct want wants[] = { { "deep", "api_nested", "api_nested" } };
	scan_check(names, ARRAY_SIZE(names), wants, ARRAY_SIZE(wants));
}

/* A copy inside a function that is asked about too still counts. */
static void test_copy_in_asked_function(void **state)
{
	(void)state;
	const char *names[] = { "helper", "deep" };
	const struct want wants[] = {
		{ "helper", "api_nested", "api_nested" },
		{ "deep", "api_nested", "api_nested" },
	};
	scan_check(names, ARRAY_SIZE(names), wants, ARRAY_SIZE(wants));
}

/* noinline: no copy, though its clone is a concrete instance of it. */
static void test_noinline(void **state)
{
	(void)state;
	struct elf_open e;
	GElf_Addr value;
	elf_open(lib_path, &e);
	/* The case is really there: a clone, and no "kept" proper. */
	assert_true(symbol_find(e.elf, "kept.", &value));
	assert_false(symbol_find(e.elf, "kept", &value));
	elf_close(&e);
	const char *names[] = { "kept" };
	scan_check(names, ARRAY_SIZE(names), NULL, 0);
}

/* A copy in a clone is reported under the clone's DWARF name. */
static void test_copy_in_clone(void **state)
{
	(void)state;
	const char *names[] = { "bump" };
	const struct want wants[] = { { "bump", "kept", "kept." } };
	scan_check(names, ARRAY_SIZE(names), wants, ARRAY_SIZE(wants));
}

/* mid is inlined into api_mid and also has an out-of-line instance. */
static void test_out_of_line_instance(void **state)
{
	(void)state;
	const char *names[] = { "square", "mid" };
	const struct want wants[] = {
		{ "square", "mid", "mid" },
		{ "square", "api_mid", "api_mid" },
		{ "mid", "api_mid", "api_mid" },
	};
	scan_check(names, ARRAY_SIZE(names), wants, ARRAY_SIZE(wants));
}

/* The nested function holds the copy, not the function around it. */
static void test_nested_function(void **state)
{
	(void)state;
	const char *names[] = { "halve" };
	const struct want wants[] = { { "halve", "inner", "inner." } };
	scan_check(names, ARRAY_SIZE(names), wants, ARRAY_SIZE(wants));
}

/* The caller's entry is its hot part, not the lower api_cold.cold. */
static void test_cold_split(void **state)
{
	(void)state;
	struct elf_open e;
	GElf_Addr cold;
	elf_open(lib_path, &e);
	assert_true(symbol_find(e.elf, "api_cold.cold", &cold));
	assert_true(cold < symbol_value(e.elf, "api_cold"));
	elf_close(&e);
	const char *names[] = { "negate" };
	const struct want wants[] = {
		{ "negate", "api_cold", "api_cold" },
		{ "negate", "api_cold", "api_cold" },
	};
	scan_check(names, ARRAY_SIZE(names), wants, ARRAY_SIZE(wants));
}

/* api_gone was removed by the linker: its copy has no code. */
static void test_removed_caller(void **state)
{
	(void)state;
	struct elf_open e;
	GElf_Addr value;
	elf_open(lib_path, &e);
	assert_false(symbol_find(e.elf, "api_gone", &value));
	elf_close(&e);
	const char *names[] = { "lost" };
	scan_check(names, ARRAY_SIZE(names), NULL, 0);
}

static void test_no_copies(void **state)
{
	(void)state;
	const char *names[] = { "api_one", "no_such_function" };
	scan_check(names, ARRAY_SIZE(names), NULL, 0);
	scan_check(NULL, 0, NULL, 0);
}

/* All at once: one pass finds what the separate ones do. */
static void test_all_names(void **state)
{
	(void)state;
	const char *names[] = { "scale",  "twice", "deep",  "helper", "kept", "bump",
				"square", "mid",   "halve", "negate", "lost", "api_one" };
	const struct want wants[] = {
		{ "scale", "api_one", "api_one" },
		{ "scale", "api_two", "api_two" },
		{ "twice", "api_twice", "api_twice" },
		{ "twice", "api_twice", "api_twice" },
		{ "helper", "api_nested", "api_nested" },
		{ "deep", "api_nested", "api_nested" },
		{ "bump", "kept", "kept." },
		{ "square", "mid", "mid" },
		{ "square", "api_mid", "api_mid" },
		{ "mid", "api_mid", "api_mid" },
		{ "halve", "inner", "inner." },
		{ "negate", "api_cold", "api_cold" },
		{ "negate", "api_cold", "api_cold" },
	};
	scan_check(names, ARRAY_SIZE(names), wants, ARRAY_SIZE(wants));
}

static void test_no_dwarf(void **state)
{
	(void)state;
	struct elf_open e;
	const char *names[] = { "scale" };
	struct inline_use *uses = (struct inline_use *)&e;
	size_t n = 42;
	elf_open(nodebug_path, &e);
	assert_int_equal(inline_scan(e.elf, names, 1, &uses, &n), -ENODATA);
	/* Outputs are set only on success. */
	assert_ptr_equal(uses, (struct inline_use *)&e);
	assert_int_equal(n, 42);
	elf_close(&e);
}

static void test_no_elf(void **state)
{
	(void)state;
	const char *names[] = { "scale" };
	struct inline_use *uses = NULL;
	size_t n = 0;
	assert_int_equal(inline_scan(NULL, names, 1, &uses, &n), -EINVAL);
}

/* Read @path into source/lines. */
static void source_load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open '%s': %m\n", path);
		exit(1);
	}
	size_t size = 0;
	FILE *mem = open_memstream(&source, &size);
	char buf[4096];
	size_t got;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, got, mem);
	fclose(f);
	fclose(mem);
	nlines = 0;
	for (size_t i = 0; i < size; i++)
		nlines += source[i] == '\n';
	lines = calloc(nlines + 2, sizeof(*lines));
	char *p = source;
	for (size_t l = 1; p && l <= nlines + 1; l++) {
		lines[l] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s LIB-WITH-DWARF LIB-WITHOUT SOURCE\n", argv[0]);
		return 1;
	}
	lib_path = argv[1];
	nodebug_path = argv[2];
	source_load(argv[3]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_callers),
		cmocka_unit_test(test_twice_in_one_caller),
		cmocka_unit_test(test_copy_in_copy),
		cmocka_unit_test(test_copy_in_asked_function),
		cmocka_unit_test(test_noinline),
		cmocka_unit_test(test_copy_in_clone),
		cmocka_unit_test(test_out_of_line_instance),
		cmocka_unit_test(test_nested_function),
		cmocka_unit_test(test_cold_split),
		cmocka_unit_test(test_removed_caller),
		cmocka_unit_test(test_no_copies),
		cmocka_unit_test(test_all_names),
		cmocka_unit_test(test_no_dwarf),
		cmocka_unit_test(test_no_elf),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	free(lines);
	free(source);
	return r;
}
