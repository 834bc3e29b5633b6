/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-exports.c - libpulp.so exports its ABI and nothing else.
 *
 * Every symbol the runtime exports is one the target's own code could
 * bind to by accident (and one more thing to keep stable), so the
 * dynamic symbol table may define only ULP_RUNTIME_SYMBOL and the
 * version node that carries it.  Also: the runtime must not interpose
 * the allocator or install anything behind the target's back, so it must
 * not even import sigaction/signal/pthread_create.  And it must not bind
 * to the C library's IFUNCs (memcpy, strlen...): their resolvers run at
 * start-up in every process and fault in libc pages around them.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
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

#include "libpulp/ulp-abi.h"

static const char *libpulp_path;

struct dynsyms {
	char defined[64][128];
	size_t ndefined;
	char imported[256][128];
	size_t nimported;
	char ifuncs[512][64]; /* defined as STT_GNU_IFUNC */
	size_t nifuncs;
};

static void dynsyms_read(const char *path, struct dynsyms *d)
{
	memset(d, 0, sizeof(*d));
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		assert_non_null(gelf_getshdr(scn, &sh));
		if (sh.sh_type != SHT_DYNSYM)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			assert_non_null(gelf_getsym(data, (int)i, &s));
			const char *name = elf_strptr(elf, sh.sh_link, s.st_name);
			if (s.st_shndx == SHN_UNDEF && d->nimported < 256)
				strncpy(d->imported[d->nimported++], name, 127);
			else if (GELF_ST_TYPE(s.st_info) == STT_GNU_IFUNC && d->nifuncs < 512)
				strncpy(d->ifuncs[d->nifuncs++], name, 63);
			else if (GELF_ST_BIND(s.st_info) != STB_LOCAL && d->ndefined < 64)
				strncpy(d->defined[d->ndefined++], name, 127);
		}
	}
	elf_end(elf);
	close(fd);
}

static void test_exports_only_abi(void **state)
{
	(void)state;
	struct dynsyms d;
	dynsyms_read(libpulp_path, &d);
	bool runtime = false;
	for (size_t i = 0; i < d.ndefined; i++) {
		if (strcmp(d.defined[i], ULP_RUNTIME_SYMBOL) == 0) {
			runtime = true;
			continue;
		}
		/* The version node (ULP_1) is an absolute symbol of its own. */
		if (strcmp(d.defined[i], "ULP_1") == 0)
			continue;
		fail_msg("libpulp.so exports '%s', which is not part of its ABI", d.defined[i]);
	}
	assert_true(runtime);
}

static void test_no_interposition_no_threads_no_handlers(void **state)
{
	(void)state;
	static const char *const forbidden[] = { "sigaction",  "signal",       "pthread_create", "sigset",
						 "bsd_signal", "timer_create", "clone" };
	struct dynsyms d;
	dynsyms_read(libpulp_path, &d);
	for (size_t i = 0; i < d.nimported; i++)
		for (size_t f = 0; f < sizeof(forbidden) / sizeof(forbidden[0]); f++)
			if (strcmp(d.imported[i], forbidden[f]) == 0)
				fail_msg("libpulp.so uses '%s'", forbidden[f]);
	/* Defining malloc would interpose the process's allocator. */
	for (size_t i = 0; i < d.ndefined; i++)
		assert_true(strcmp(d.defined[i], "malloc") != 0 && strcmp(d.defined[i], "free") != 0);
}

static void test_no_libc_ifuncs(void **state)
{
	(void)state;
	/* The C library this test runs with: the one targets run with. */
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	struct link_map *lm = NULL;
	assert_non_null(h);
	assert_int_equal(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
	static struct dynsyms libc, lp;
	dynsyms_read(lm->l_name, &libc);
	dlclose(h);
	assert_true(libc.nifuncs > 10); /* memcpy, strlen, ...: else this test proves nothing */
	dynsyms_read(libpulp_path, &lp);
	for (size_t i = 0; i < lp.nimported; i++)
		for (size_t f = 0; f < libc.nifuncs; f++)
			if (strcmp(lp.imported[i], libc.ifuncs[f]) == 0)
				fail_msg("libpulp.so imports '%s', an IFUNC of the C library: use the runtime's own "
					 "(libpulp/string.c) or a function that is not one",
					 lp.imported[i]);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/libpulp.so\n", argv[0]);
		return 2;
	}
	libpulp_path = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exports_only_abi),
		cmocka_unit_test(test_no_interposition_no_threads_no_handlers),
		cmocka_unit_test(test_no_libc_ifuncs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
