/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-container.c - container_write() -> container_read() round trips,
 * re-packing, atomic replacement, and container_parse() refusing every
 * kind of damage: truncation, bad magic or version, any flipped byte,
 * offsets out of bounds, strings without their NUL.
 *
 * Damaged fields are written with a recomputed digest where the point is
 * the field check itself, not the digest.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "packer/sha256.h"

static char dir[] = "/tmp/test-container-XXXXXX";

static const uint8_t buildid[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const struct container_func funcs[] = {
	{ "foo", "foo_v2", 0x1120, 42, 0x1100, 17 },
	{ "static_bar", "bar_v2", 0x2000, 1, 0x1200, 0 },
};
static const char *const comments[] = { "bsc#1234", "CVE-2021-3449: fix" };
static const struct container_ref refs[] = {
	{ CONTAINER_REF_ADDR, "counter", "counter_ref", 0x4010, 0x4040 },
	{ CONTAINER_REF_TLS, "tls_var", "tls_ref", 0x8, 0x4050 },
	{ CONTAINER_REF_ORIGINAL, "foo", "foo_orig", 0x1120, 0x4060 },
	{ CONTAINER_REF_POST_PATCH, "post_patch", "ulp_post_patch", 0, 0x1300 },
};
static const struct container_spec spec = {
	.target_name = "libfoo.so.1",
	.buildid = buildid,
	.buildid_len = sizeof(buildid),
	.nfuncs = 2,
	.funcs = funcs,
	.ncomments = 2,
	.comments = comments,
	.nrefs = 4,
	.refs = refs,
};

/* --- helpers --- */

static char *path_in_dir(const char *name)
{
	static char paths[8][sizeof(dir) + 256 + 2];
	static int next;
	char *p = paths[next++ % 8];
	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	return p;
}

static void file_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static uint8_t *file_get(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	uint8_t *buf = malloc(*len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

/*
 * A minimal ELF64 shared object: header, 32 bytes of "code", a section
 * name table, two program headers, and the headers of three sections
 * (null, .text, .shstrtab).  The segments are where the spec's patch
 * offsets point: code at 0x1000 (functions, hooks), writable data at
 * 0x4000 (reference variables); the container checks that they are.
 */
static size_t tiny_elf(uint8_t *out)
{
	static const char names[] = "\0.text\0.shstrtab";
	enum { PHOFF = 64 + 32 + 24 };
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_DYN,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_phoff = PHOFF,
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = 2,
		.e_shentsize = sizeof(Elf64_Shdr),
		.e_shoff = PHOFF + 2 * sizeof(Elf64_Phdr),
		.e_shnum = 3,
		.e_shstrndx = 2,
	};
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 64, .p_vaddr = 0x1000, .p_memsz = 0x1000 },
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_vaddr = 0x4000, .p_memsz = 0x100 },
	};
	Elf64_Shdr sh[3] = {
		{ 0 },
		{ .sh_name = 1, .sh_type = SHT_PROGBITS, .sh_offset = 64, .sh_size = 32, .sh_addralign = 16 },
		{ .sh_name = 7, .sh_type = SHT_STRTAB, .sh_offset = 96, .sh_size = sizeof(names), .sh_addralign = 1 },
	};
	memset(out, 0, PHOFF);
	memcpy(out, &eh, sizeof(eh));
	for (int i = 0; i < 32; i++)
		out[64 + i] = (uint8_t)(0xa0 + i);
	memcpy(out + 96, names, sizeof(names));
	memcpy(out + PHOFF, ph, sizeof(ph));
	memcpy(out + eh.e_shoff, sh, sizeof(sh));
	return eh.e_shoff + sizeof(sh);
}

/* Offset and size of the .ulp.meta section, found independently of the
 * code under test. */
static size_t meta_offset(const uint8_t *f, size_t *ret_size)
{
	Elf64_Ehdr eh;
	Elf64_Shdr strtab, sh;
	memcpy(&eh, f, sizeof(eh));
	memcpy(&strtab, f + eh.e_shoff + eh.e_shstrndx * sizeof(sh), sizeof(sh));
	for (unsigned i = 1; i < eh.e_shnum; i++) {
		memcpy(&sh, f + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (strcmp((const char *)f + strtab.sh_offset + sh.sh_name, ULP_META_SECTION) == 0) {
			if (ret_size)
				*ret_size = sh.sh_size;
			return sh.sh_offset;
		}
	}
	fail_msg("no .ulp.meta section");
	return 0;
}

static void digest_fix(uint8_t *f, size_t len)
{
	uint8_t *d = f + meta_offset(f, NULL) + ULP_META_DIGEST_OFF;
	memset(d, 0, ULP_DIGEST_LEN);
	sha256_digest(f, len, d);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A packed tiny ELF in memory. */
static uint8_t *packed(size_t *len)
{
	uint8_t elf[512];
	file_write(path_in_dir("tiny.so"), elf, tiny_elf(elf));
	assert_int_equal(container_write(path_in_dir("tiny.so"), path_in_dir("packed.so"), &spec), 0);
	return file_get(path_in_dir("packed.so"), len);
}

static int parse_status(const uint8_t *f, size_t len)
{
	struct container c = CONTAINER_INIT;
	int r = container_parse(f, len, &c);
	container_release(&c);
	return r;
}

/* A copy of the packed file with the u32 at meta offset @field set to
 * @value and the digest recomputed; returns container_parse()'s verdict. */
static int parse_with_field(uint32_t field, uint32_t value)
{
	size_t len;
	uint8_t *f = packed(&len);
	put32(f + meta_offset(f, NULL) + field, value);
	digest_fix(f, len);
	int r = parse_status(f, len);
	free(f);
	return r;
}

static bool dir_has_temp_files(void)
{
	bool found = false;
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));)
		if (strstr(e->d_name, ".ulp.tmp."))
			found = true;
	closedir(d);
	return found;
}

/* Field offsets in the metadata header, as container.h specifies them. */
enum {
	F_VERSION = 8,
	F_HEADER_SIZE = 12,
	F_FLAGS = 16,
	F_NFUNCS = 20,
	F_NREFS = 24,
	F_NCOMMENTS = 28,
	F_STRTAB_OFF = 32,
	F_STRTAB_SIZE = 36,
	F_TARGET = 40,
	F_BUILDID_OFF = 44,
	F_BUILDID_LEN = 48,
	F_FUNCS_OFF = 52,
	F_COMMENTS_OFF = 56,
	F_TOTAL = 60,
	F_REFS_OFF = 96,
	F_RESERVED = 100,
};

/* --- round trips --- */

static void check_spec(const struct container *c, const struct container_spec *s)
{
	assert_int_equal(c->version, ULP_META_VERSION);
	assert_string_equal(c->target_name, "libfoo.so.1");
	assert_int_equal(c->buildid_len, sizeof(buildid));
	assert_memory_equal(c->buildid, buildid, sizeof(buildid));
	assert_int_equal(c->nfuncs, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(c->funcs[i].old_name, s->funcs[i].old_name);
		assert_string_equal(c->funcs[i].new_name, s->funcs[i].new_name);
		assert_int_equal(c->funcs[i].old_off, s->funcs[i].old_off);
		assert_int_equal(c->funcs[i].old_size, s->funcs[i].old_size);
		assert_int_equal(c->funcs[i].new_off, s->funcs[i].new_off);
		assert_int_equal(c->funcs[i].new_size, s->funcs[i].new_size);
	}
	assert_int_equal(c->ncomments, 2);
	assert_string_equal(c->comments[0], comments[0]);
	assert_string_equal(c->comments[1], comments[1]);
	assert_int_equal(c->nrefs, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(c->refs[i].kind, s->refs[i].kind);
		assert_string_equal(c->refs[i].target_sym, s->refs[i].target_sym);
		assert_string_equal(c->refs[i].patch_sym, s->refs[i].patch_sym);
		assert_int_equal(c->refs[i].target_off, s->refs[i].target_off);
		assert_int_equal(c->refs[i].patch_off, s->refs[i].patch_off);
	}
}

/*
 * @spec with its patch offsets moved into the segments of the ELF file
 * @elf, as they are into tiny_elf()'s: functions and hooks by their
 * distance from 0x1000 into the code, reference variables by theirs from
 * 0x4070 to the end of the writable data (.bss, past RELRO).
 */
static struct container_spec spec_moved(const uint8_t *elf, struct container_func fs[2], struct container_ref rs[4])
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t code = 0, data_end = 0;
	memcpy(&eh, elf, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, elf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
			code = ph.p_vaddr;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W))
			data_end = ph.p_vaddr + ph.p_memsz;
	}
	assert_true(code && data_end);
	struct container_spec s = spec;
	memcpy(fs, funcs, sizeof(funcs));
	memcpy(rs, refs, sizeof(refs));
	for (int i = 0; i < 2; i++)
		fs[i].new_off = code + (funcs[i].new_off - 0x1000);
	for (int i = 0; i < 4; i++)
		rs[i].patch_off = container_ref_is_hook(refs[i].kind) ? code + (refs[i].patch_off - 0x1000)
								      : data_end - (0x4070 - refs[i].patch_off);
	s.funcs = fs;
	s.refs = rs;
	return s;
}

/* References the runtime could not act on safely are refused: the writer
 * checks its own output with the reader. */
static void test_bad_refs(void **state)
{
	(void)state;
	static const struct {
		struct container_ref ref[2];
		uint32_t n;
	} bad[] = {
		/* patch offsets in tiny_elf()'s segments: refused for what is named */
		{ { { 0, "a", "b", 0, 0x4040 } }, 1 },				     /* no kind */
		{ { { CONTAINER_REF_KIND_MAX + 1, "a", "b", 0, 0x4040 } }, 1 },	     /* unknown kind */
		{ { { CONTAINER_REF_ADDR, "", "b", 0, 0x4040 } }, 1 },		     /* no target name */
		{ { { CONTAINER_REF_ADDR, "a", "b", 0, UINT64_MAX - 3 } }, 1 },	     /* wraps */
		{ { { CONTAINER_REF_ORIGINAL, "bar", "b", 0x3000, 0x4040 } }, 1 },   /* not replaced */
		{ { { CONTAINER_REF_PRE_PATCH, "pre_patch", "f", 8, 0x1300 } }, 1 }, /* hook with target */
		{ { { CONTAINER_REF_POST_UNPATCH, "post_unpatch", "f", 0, 0x1300 },
		    { CONTAINER_REF_POST_UNPATCH, "post_unpatch", "g", 0, 0x1310 } },
		  2 }, /* one hook twice */
	};
	uint8_t elf[512];
	file_write(path_in_dir("in.so"), elf, tiny_elf(elf));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct container_spec s = spec;
		s.refs = bad[i].ref;
		s.nrefs = bad[i].n;
		int r = container_write(path_in_dir("in.so"), path_in_dir("bad.so"), &s);
		if (r != -ULP_E_MALFORMED)
			fail_msg("bad reference %zu: container_write returned %d", i, r);
	}
	assert_false(dir_has_temp_files());
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct container c = CONTAINER_INIT;
	uint8_t elf[512];
	size_t elf_len = tiny_elf(elf), len;
	file_write(path_in_dir("in.so"), elf, elf_len);
	assert_int_equal(container_write(path_in_dir("in.so"), path_in_dir("out.so"), &spec), 0);
	assert_int_equal(container_read(path_in_dir("out.so"), &c), 0);
	check_spec(&c, &spec);

	/* The digest is SHA-256 of the file with its own 32 bytes zeroed. */
	uint8_t *f = file_get(path_in_dir("out.so"), &len);
	uint8_t want[ULP_DIGEST_LEN];
	memset(f + meta_offset(f, NULL) + ULP_META_DIGEST_OFF, 0, ULP_DIGEST_LEN);
	sha256_digest(f, len, want);
	assert_memory_equal(c.digest, want, ULP_DIGEST_LEN);
	char id[2 * ULP_DIGEST_LEN + 1];
	container_id_hex(c.digest, id);
	assert_int_equal(strlen(id), 64);
	assert_int_equal(id[0], "0123456789abcdef"[want[0] >> 4]);

	/* The input's bytes are kept; only e_shoff and e_shnum changed. */
	Elf64_Ehdr in_eh, out_eh;
	memcpy(&in_eh, elf, sizeof(in_eh));
	memcpy(&out_eh, f, sizeof(out_eh));
	assert_int_equal(out_eh.e_shnum, in_eh.e_shnum + 1);
	assert_int_equal(out_eh.e_shstrndx, in_eh.e_shstrndx);
	in_eh.e_shoff = out_eh.e_shoff;
	in_eh.e_shnum = out_eh.e_shnum;
	assert_memory_equal(&in_eh, &out_eh, sizeof(in_eh));
	assert_memory_equal(f + sizeof(in_eh), elf + sizeof(in_eh), elf_len - sizeof(in_eh));
	free(f);
	container_release(&c);
	container_release(&c);
}

/* Packing a container again drops the old metadata: same size, same
 * bytes, same patch id; packing in place works too. */
static void test_repack(void **state)
{
	(void)state;
	size_t len1, len2, len3;
	uint8_t *first = packed(&len1);
	assert_int_equal(container_write(path_in_dir("packed.so"), path_in_dir("again.so"), &spec), 0);
	uint8_t *second = file_get(path_in_dir("again.so"), &len2);
	assert_int_equal(len1, len2);
	assert_memory_equal(first, second, len1);

	assert_int_equal(container_write(path_in_dir("again.so"), path_in_dir("again.so"), &spec), 0);
	uint8_t *third = file_get(path_in_dir("again.so"), &len3);
	assert_int_equal(len3, len1);
	assert_memory_equal(first, third, len1);

	/* A different description replaces the metadata, not adds to it. */
	struct container_spec one = spec;
	one.nfuncs = 1;
	one.ncomments = 0;
	struct container c = CONTAINER_INIT;
	assert_int_equal(container_write(path_in_dir("again.so"), path_in_dir("again.so"), &one), 0);
	assert_int_equal(container_read(path_in_dir("again.so"), &c), 0);
	assert_int_equal(c.nfuncs, 1);
	assert_int_equal(c.ncomments, 0);
	size_t len4;
	free(file_get(path_in_dir("again.so"), &len4));
	assert_true(len4 < len1);
	container_release(&c);
	assert_false(dir_has_temp_files());
	free(first);
	free(second);
	free(third);
}

/* A real linked object (this test program): segments stay where they are. */
static void test_real_elf(void **state)
{
	(void)state;
	struct container c = CONTAINER_INIT;
	struct container_func fs[2];
	struct container_ref rs[4];
	size_t in_len, out_len;
	uint8_t *in = file_get("/proc/self/exe", &in_len);
	struct container_spec s = spec_moved(in, fs, rs);
	assert_int_equal(container_write("/proc/self/exe", path_in_dir("exe.so"), &s), 0);
	assert_int_equal(container_read(path_in_dir("exe.so"), &c), 0);
	check_spec(&c, &s);
	uint8_t *out = file_get(path_in_dir("exe.so"), &out_len);
	assert_true(out_len > in_len);
	assert_memory_equal(out + sizeof(Elf64_Ehdr), in + sizeof(Elf64_Ehdr), in_len - sizeof(Elf64_Ehdr));
	assert_memory_equal(out, in, offsetof(Elf64_Ehdr, e_shoff));
	struct stat st;
	assert_int_equal(stat(path_in_dir("exe.so"), &st), 0);
	assert_true(st.st_mode & S_IXUSR); /* the input's mode is kept */
	free(in);
	free(out);
	container_release(&c);
}

/* --- what container_parse() refuses --- */

static void test_not_elf_not_container(void **state)
{
	(void)state;
	uint8_t elf[512];
	size_t len = tiny_elf(elf);
	assert_int_equal(parse_status((const uint8_t *)"hello, world", 12), -ULP_E_NOT_ELF);
	assert_int_equal(parse_status(elf, 3), -ULP_E_NOT_ELF);
	assert_int_equal(parse_status(elf, len), -ULP_E_NOT_CONTAINER);
	elf[EI_CLASS] = ELFCLASS32;
	assert_int_equal(parse_status(elf, len), -ULP_E_NOT_CONTAINER);
	struct container c = CONTAINER_INIT;
	assert_int_equal(container_read(path_in_dir("does-not-exist"), &c), -ENOENT);
	assert_int_equal(container_read(dir, &c), -EINVAL);
}

static void test_truncated(void **state)
{
	(void)state;
	size_t len;
	uint8_t *f = packed(&len);
	assert_int_equal(parse_status(f, len), 0);
	for (size_t n = 0; n < len; n++)
		if (parse_status(f, n) == 0)
			fail_msg("truncated to %zu of %zu bytes and accepted", n, len);
	free(f);
}

/* Any single flipped bit anywhere is refused; in the bytes the structure
 * checks cannot see (code, metadata body), it is the digest that says so. */
static void test_flipped_byte(void **state)
{
	(void)state;
	size_t len, meta_size;
	uint8_t *f = packed(&len);
	size_t meta = meta_offset(f, &meta_size);
	for (size_t i = 0; i < len; i++) {
		f[i] ^= 0x10;
		int r = parse_status(f, len);
		f[i] ^= 0x10;
		if (r == 0)
			fail_msg("byte %zu flipped and accepted", i);
		bool body = (i >= 64 && i < 96) || (i >= meta + ULP_META_HEADER_SIZE && i < meta + meta_size) ||
			    (i >= meta + ULP_META_DIGEST_OFF && i < meta + ULP_META_HEADER_SIZE);
		if (body && r != -ULP_E_DIGEST)
			fail_msg("byte %zu flipped: %d, want the digest error", i, r);
	}
	free(f);
}

static void test_magic_version_flags(void **state)
{
	(void)state;
	size_t len;
	uint8_t *f = packed(&len);
	f[meta_offset(f, NULL)] = 'X';
	digest_fix(f, len);
	assert_int_equal(parse_status(f, len), -ULP_E_MALFORMED);
	free(f);

	assert_int_equal(parse_with_field(F_VERSION, 1), -ULP_E_VERSION);
	assert_int_equal(parse_with_field(F_VERSION, 3), -ULP_E_VERSION);
	assert_int_equal(parse_with_field(F_VERSION, 0), -ULP_E_VERSION);
	assert_int_equal(parse_with_field(F_FLAGS, 1), -ULP_E_VERSION);
	assert_int_equal(parse_with_field(F_NREFS, 100), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_REFS_OFF, 8), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_RESERVED, 1), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_HEADER_SIZE, 64), -ULP_E_MALFORMED);
}

static void test_out_of_bounds(void **state)
{
	(void)state;
	size_t len, size;
	uint8_t *f = packed(&len);
	const uint8_t *m = f + meta_offset(f, &size);
	uint32_t total = (uint32_t)size, strtab_size = get32(m + F_STRTAB_SIZE);
	free(f);

	assert_int_equal(parse_with_field(F_TOTAL, total + 1), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_TOTAL, total - 1), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_STRTAB_OFF, total), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_STRTAB_OFF, 8), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_STRTAB_SIZE, UINT32_MAX), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_TARGET, strtab_size), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_BUILDID_OFF, total - 1), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_BUILDID_LEN, UINT32_MAX), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_BUILDID_LEN, 0), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_NFUNCS, 0x10000000), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_NFUNCS, 0), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_FUNCS_OFF, UINT32_MAX - 8), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_FUNCS_OFF, 0), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_NCOMMENTS, UINT32_MAX), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(F_COMMENTS_OFF, total), -ULP_E_MALFORMED);
	/* A function name offset past the string table. */
	assert_int_equal(parse_with_field(ULP_META_HEADER_SIZE, strtab_size + 100), -ULP_E_MALFORMED);
	assert_int_equal(parse_with_field(ULP_META_HEADER_SIZE + 4, UINT32_MAX), -ULP_E_MALFORMED);
}

/* The section header of .ulp.meta pointing outside the file. */
static void test_section_out_of_bounds(void **state)
{
	(void)state;
	size_t len;
	uint8_t *f = packed(&len);
	Elf64_Ehdr eh;
	memcpy(&eh, f, sizeof(eh));
	uint8_t *sh = f + eh.e_shoff + (eh.e_shnum - 1) * sizeof(Elf64_Shdr);
	uint64_t huge = len;
	memcpy(sh + offsetof(Elf64_Shdr, sh_offset), &huge, 8);
	assert_int_equal(parse_status(f, len), -ULP_E_MALFORMED);
	eh.e_shoff = len - 10;
	memcpy(f, &eh, sizeof(eh));
	assert_int_equal(parse_status(f, len), -ULP_E_MALFORMED);
	free(f);
}

/* The string table's last string loses its terminating NUL. */
static void test_unterminated_string(void **state)
{
	(void)state;
	size_t len, size;
	uint8_t *f = packed(&len);
	uint32_t strtab_size = get32(f + meta_offset(f, &size) + F_STRTAB_SIZE);
	free(f);
	assert_int_equal(parse_with_field(F_STRTAB_SIZE, strtab_size - 1), -ULP_E_MALFORMED);
}

static void test_duplicate_function(void **state)
{
	(void)state;
	size_t len;
	uint8_t *f = packed(&len);
	uint8_t *m = f + meta_offset(f, NULL);
	uint8_t *second = m + ULP_META_HEADER_SIZE + ULP_META_FUNC_SIZE;
	put32(second, get32(m + ULP_META_HEADER_SIZE)); /* old name of pair 2 := pair 1's */
	digest_fix(f, len);
	assert_int_equal(parse_status(f, len), -ULP_E_MALFORMED);
	free(f);
}

/* --- container_write() failures leave the output as it was --- */

static void test_write_failures(void **state)
{
	(void)state;
	const char *out = path_in_dir("keep.so");
	file_write(out, "old contents", 12);
	file_write(path_in_dir("text.so"), "not an ELF file", 15);

	assert_int_equal(container_write(path_in_dir("missing.so"), out, &spec), -ENOENT);
	assert_int_equal(container_write(path_in_dir("text.so"), out, &spec), -ULP_E_NOT_ELF);
	struct container_spec bad = spec;
	bad.buildid_len = 0;
	assert_int_equal(container_write(path_in_dir("text.so"), out, &bad), -EINVAL);
	struct container_func zero_size = funcs[0];
	zero_size.old_size = 0;
	bad = spec;
	bad.nfuncs = 1;
	bad.funcs = &zero_size;
	assert_int_equal(container_write(path_in_dir("text.so"), out, &bad), -EINVAL);
	struct container_func fs[2];
	struct container_ref rs[4];
	size_t exe_len;
	uint8_t *exe = file_get("/proc/self/exe", &exe_len);
	struct container_spec moved = spec_moved(exe, fs, rs);
	free(exe);
	assert_int_equal(container_write("/proc/self/exe", "/nonexistent-dir/out.so", &moved), -ENOENT);

	size_t len;
	uint8_t *f = file_get(out, &len);
	assert_int_equal(len, 12);
	assert_memory_equal(f, "old contents", 12);
	free(f);
	assert_false(dir_has_temp_files());
}

static void test_target_matches(void **state)
{
	(void)state;
	assert_true(container_target_matches("libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1"));
	assert_true(container_target_matches("libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1.2.13"));
	assert_true(container_target_matches("prog", "prog"));
	assert_false(container_target_matches("libz.so.1", "/lib/libz.so.10"));
	assert_false(container_target_matches("libz.so", "/lib/libzz.so"));
	assert_false(container_target_matches("libc.so.6", "/lib/libc.so.6x"));
}

/* One note: header, name padded to 4, descriptor padded to 4. */
static size_t note_put(uint8_t *p, uint32_t type, const char *name, const uint8_t *desc, uint32_t desc_len)
{
	Elf64_Nhdr n = { .n_namesz = (uint32_t)strlen(name) + 1, .n_descsz = desc_len, .n_type = type };
	size_t off = sizeof(n);
	memcpy(p, &n, sizeof(n));
	memcpy(p + off, name, n.n_namesz);
	off += (n.n_namesz + 3u) & ~3u;
	memcpy(p + off, desc, desc_len);
	return off + ((desc_len + 3u) & ~3u);
}

static void test_notes_buildid(void **state)
{
	(void)state;
	static const uint8_t abi[16] = { 0 }, id[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };
	uint8_t notes[256] = { 0 };
	size_t len = note_put(notes, NT_GNU_ABI_TAG, "GNU", abi, sizeof(abi));
	len += note_put(notes + len, NT_GNU_BUILD_ID, "XYZ", id, 6); /* right type, other owner */
	size_t at = len;
	len += note_put(notes + len, NT_GNU_BUILD_ID, "GNU", id, sizeof(id));
	const uint8_t *got;
	uint32_t got_len;
	assert_int_equal(container_notes_buildid(notes, len, &got, &got_len), 0);
	assert_int_equal(got_len, sizeof(id));
	assert_ptr_equal(got, notes + at + sizeof(Elf64_Nhdr) + 4);
	assert_memory_equal(got, id, sizeof(id));
	/* Cut inside the build-id's descriptor: not found, nothing read past. */
	assert_int_equal(container_notes_buildid(notes, len - 4, &got, &got_len), -ENOENT);
	assert_int_equal(container_notes_buildid(notes, 3, &got, &got_len), -ENOENT);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.')
			unlink(path_in_dir(e->d_name));
	if (d)
		closedir(d);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_repack),
		cmocka_unit_test(test_real_elf),
		cmocka_unit_test(test_not_elf_not_container),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flipped_byte),
		cmocka_unit_test(test_magic_version_flags),
		cmocka_unit_test(test_out_of_bounds),
		cmocka_unit_test(test_section_out_of_bounds),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_duplicate_function),
		cmocka_unit_test(test_bad_refs),
		cmocka_unit_test(test_write_failures),
		cmocka_unit_test(test_target_matches),
		cmocka_unit_test(test_notes_buildid),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
