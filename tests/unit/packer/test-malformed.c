/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-malformed.c - a table of damaged containers.  Each row derives one
 * bad file from a valid container by one mutation and names the code
 * container_parse() must refuse it with, and words its message
 * (ulp_strerror(), what `ulp` prints) must contain.
 *
 * The valid containers: one container_write() makes here from a small
 * ELF object built in memory (two functions, a reference of every kind,
 * a hook, comments), and, when given as argv[1], one the real packer
 * wrote at build time.  Every row runs on both; a row that needs what a
 * container lacks (references in the second) is skipped there, never in
 * the first.
 *
 * Unless a row says otherwise the digest is recomputed after the
 * mutation: the digest is a checksum anyone can write, so each field
 * check must refuse on its own.  The layout is found here with <elf.h>,
 * not with the code under test.
 */
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
#include <unistd.h>

#include <cmocka.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "packer/sha256.h"

/* --- a valid container --- */

/*
 * The patch object, laid out by hand:
 *
 *   0x000  ELF header             0x040  2 program headers
 *   0x100  .text  (0x40, R+X)     0x140  .data (0x40, R+W)
 *   0x180  .shstrtab              0x1a0  5 section headers
 *
 * PT_LOAD 1 maps [0, 0x140) R+X, PT_LOAD 2 maps [0x140, 0x180) R+W, both
 * at vaddr = offset: symbol values are file offsets.
 */
enum {
	TEXT_OFF = 0x100,
	DATA_OFF = 0x140,
	SEG_SIZE = 0x40,
	NAMES_OFF = 0x180,
	SHDRS_OFF = 0x1a0,
	N_SECTIONS = 4,
};

static size_t patch_elf(uint8_t *out)
{
	static const char names[] = "\0.text\0.data\0.shstrtab";
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_DYN,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_shoff = SHDRS_OFF,
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = 2,
		.e_shentsize = sizeof(Elf64_Shdr),
		.e_shnum = N_SECTIONS,
		.e_shstrndx = 3,
	};
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_filesz = DATA_OFF, .p_memsz = DATA_OFF, .p_align = 16 },
		{ .p_type = PT_LOAD,
		  .p_flags = PF_R | PF_W,
		  .p_offset = DATA_OFF,
		  .p_vaddr = DATA_OFF,
		  .p_paddr = DATA_OFF,
		  .p_filesz = SEG_SIZE,
		  .p_memsz = SEG_SIZE,
		  .p_align = 16 },
	};
	Elf64_Shdr sh[N_SECTIONS] = {
		{ 0 },
		{ .sh_name = 1,
		  .sh_type = SHT_PROGBITS,
		  .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
		  .sh_addr = TEXT_OFF,
		  .sh_offset = TEXT_OFF,
		  .sh_size = SEG_SIZE,
		  .sh_addralign = 16 },
		{ .sh_name = 7,
		  .sh_type = SHT_PROGBITS,
		  .sh_flags = SHF_ALLOC | SHF_WRITE,
		  .sh_addr = DATA_OFF,
		  .sh_offset = DATA_OFF,
		  .sh_size = SEG_SIZE,
		  .sh_addralign = 16 },
		{ .sh_name = 13,
		  .sh_type = SHT_STRTAB,
		  .sh_offset = NAMES_OFF,
		  .sh_size = sizeof(names),
		  .sh_addralign = 1 },
	};
	memset(out, 0, SHDRS_OFF);
	memcpy(out, &eh, sizeof(eh));
	memcpy(out + eh.e_phoff, ph, sizeof(ph));
	memset(out + TEXT_OFF, 0x90, SEG_SIZE); /* nop */
	memcpy(out + NAMES_OFF, names, sizeof(names));
	memcpy(out + SHDRS_OFF, sh, sizeof(sh));
	return SHDRS_OFF + sizeof(sh);
}

static const uint8_t buildid[20] = { 0xb1, 0x1d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };
static const struct container_func funcs[] = {
	{ "foo", "foo_v2", 0x1120, 42, TEXT_OFF, 16 },
	{ "bar", "bar_v2", 0x2000, 8, TEXT_OFF + 0x10, 8 },
};
static const struct container_ref refs[] = {
	{ CONTAINER_REF_ADDR, "counter", "counter_ref", 0x4010, DATA_OFF },
	{ CONTAINER_REF_TLS, "tls_var", "tls_ref", 0x8, DATA_OFF + 0x10 },
	{ CONTAINER_REF_ORIGINAL, "foo", "foo_orig", 0x1120, DATA_OFF + 0x20 },
	{ CONTAINER_REF_PRE_PATCH, "pre_patch", "ulp_pre_patch", 0, TEXT_OFF + 0x20 },
	{ CONTAINER_REF_POST_PATCH, "post_patch", "ulp_post_patch", 0, TEXT_OFF + 0x28 },
};
static const char *const comments[] = { "bsc#1234", "CVE-2021-3449" };
static const struct container_spec spec = {
	.target_name = "libfoo.so.1",
	.buildid = buildid,
	.buildid_len = sizeof(buildid),
	.nfuncs = 2,
	.funcs = funcs,
	.ncomments = 2,
	.comments = comments,
	.nrefs = 5,
	.refs = refs,
};

static uint8_t *file_get(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read '%s'", path);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	uint8_t *buf = malloc(*len + 64);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

/* The container container_write() makes of patch_elf() and @sp. */
static uint8_t *container_of(const struct container_spec *sp, size_t *len)
{
	char dir[] = "/tmp/test-malformed-XXXXXX", in[64], out[64];
	uint8_t elf[1024];
	assert_non_null(mkdtemp(dir));
	snprintf(in, sizeof(in), "%s/patch.so", dir);
	snprintf(out, sizeof(out), "%s/livepatch.so", dir);
	FILE *f = fopen(in, "wb");
	assert_non_null(f);
	size_t n = patch_elf(elf);
	assert_int_equal(fwrite(elf, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	int r = container_write(in, out, sp);
	if (r < 0)
		fail_msg("container_write: %s", ulp_strerror(r));
	uint8_t *c = file_get(out, len);
	unlink(in);
	unlink(out);
	rmdir(dir);
	return c;
}

static uint8_t *container_here(size_t *len)
{
	return container_of(&spec, len);
}

/* --- where things are, found with <elf.h> --- */

/* Metadata header fields, as container.h specifies them. */
enum {
	F_MAGIC = 0,
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
	F_DIGEST = 64,
	F_REFS_OFF = 96,
	F_RESERVED = 100,
};

/* Func entry fields (40 bytes) and ref entry fields (32 bytes). */
enum { FN_OLD_NAME = 0, FN_NEW_NAME = 4, FN_OLD_OFF = 8, FN_OLD_SIZE = 16, FN_NEW_OFF = 24, FN_NEW_SIZE = 32 };
enum { RF_KIND = 0, RF_TARGET = 4, RF_PATCH = 8, RF_RESERVED = 12, RF_TARGET_OFF = 16, RF_PATCH_OFF = 24 };

static uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = width; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void put_le(uint8_t *p, unsigned width, uint64_t v)
{
	for (unsigned i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

struct image {
	uint8_t *f;
	size_t len;
	size_t shoff, meta_shdr, text_shdr; /* section headers, file offsets */
	size_t meta, meta_size;		    /* the .ulp.meta section */
	size_t meta_name;		    /* ".ulp.meta" in .shstrtab, file offset */
	size_t text, text_size;		    /* the .text section */
	uint64_t text_addr;		    /* the patch's executable segment */
	uint64_t data_addr, data_end;	    /* its writable segment */
	uint64_t past_segments;		    /* an address no segment maps */
};

static uint32_t meta32(const struct image *im, size_t field)
{
	return (uint32_t)get_le(im->f + im->meta + field, 4);
}

static void image_locate(struct image *im)
{
	Elf64_Ehdr eh;
	Elf64_Shdr names, sh;
	memcpy(&eh, im->f, sizeof(eh));
	im->shoff = eh.e_shoff;
	memcpy(&names, im->f + eh.e_shoff + eh.e_shstrndx * sizeof(sh), sizeof(sh));
	for (unsigned i = 1; i < eh.e_shnum; i++) {
		size_t at = eh.e_shoff + i * sizeof(sh);
		memcpy(&sh, im->f + at, sizeof(sh));
		const char *name = (const char *)im->f + names.sh_offset + sh.sh_name;
		if (strcmp(name, ULP_META_SECTION) == 0) {
			im->meta_shdr = at;
			im->meta = sh.sh_offset;
			im->meta_size = sh.sh_size;
			im->meta_name = names.sh_offset + sh.sh_name;
		} else if (strcmp(name, ".text") == 0) {
			im->text_shdr = at;
			im->text = sh.sh_offset;
			im->text_size = sh.sh_size;
		}
	}
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, im->f + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_flags & PF_W) {
			im->data_addr = ph.p_vaddr;
			im->data_end = ph.p_vaddr + ph.p_memsz;
		} else if (ph.p_flags & PF_X)
			im->text_addr = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > im->past_segments)
			im->past_segments = ph.p_vaddr + ph.p_memsz;
	}
	im->past_segments += 0x10000;
	assert_true(im->meta && im->meta_size > ULP_META_HEADER_SIZE && im->text && im->text_size);
}

/* The entry @i of the table whose offset is at header field @field. */
static size_t entry(const struct image *im, size_t field, uint32_t i, size_t entsize)
{
	return im->meta + meta32(im, field) + i * entsize;
}

/* The first reference of @kind, 0 when there is none. */
static size_t ref_of_kind(const struct image *im, uint32_t kind)
{
	for (uint32_t i = 0; i < meta32(im, F_NREFS); i++) {
		size_t e = entry(im, F_REFS_OFF, i, ULP_META_REF_SIZE);
		if (get_le(im->f + e, 4) == kind)
			return e;
	}
	return 0;
}

static void digest_fix(struct image *im)
{
	uint8_t *d = im->f + im->meta + F_DIGEST;
	memset(d, 0, ULP_DIGEST_LEN);
	sha256_digest(im->f, im->len, d);
}

/* --- the table --- */

/* What a row changes: the file offset of the first byte. */
enum at {
	AT_FILE,      /* offset 0 of the file (ELF header) */
	AT_META_SHDR, /* the .ulp.meta section header */
	AT_TEXT_SHDR, /* the .text section header */
	AT_META_NAME, /* ".ulp.meta" in the section name table */
	AT_TEXT,      /* the patch object's code */
	AT_META,      /* the metadata header */
	AT_FUNC0,     /* the first function entry */
	AT_FUNC1,     /* the second */
	AT_REF_ADDR,  /* the first reference of each kind */
	AT_REF_TLS,
	AT_REF_ORIG,
	AT_HOOK,     /* the pre_patch hook */
	AT_HOOK2,    /* the post_patch hook */
	AT_COMMENT0, /* the first comment entry */
	AT_STRTAB,   /* the metadata's string table */
};

/* The value a row writes: base + delta. */
enum base {
	V_ABS,	       /* delta */
	V_OLD,	       /* the current value + delta */
	V_FILE_LEN,    /* file length + delta */
	V_META_OFF,    /* the file offset of .ulp.meta + delta */
	V_TOTAL,       /* metadata size + delta */
	V_STRTAB_SIZE, /* string table size + delta */
	V_META_NAME,   /* .ulp.meta's sh_name */
	V_TARGET_LEN,  /* string offset of the target name's NUL */
	V_OLD_NAME,    /* the first function's old name (string offset) */
	V_TEXT_ADDR,   /* start of the executable segment + delta */
	V_DATA_ADDR,   /* start of the writable segment + delta */
	V_DATA_END,    /* end of the writable segment + delta */
	V_UNMAPPED,    /* an address past every segment + delta */
};

enum op {
	SET,  /* write the value, @width bytes little-endian */
	XOR,  /* xor the byte with the value */
	CUT,  /* truncate the file to the value */
	GROW, /* append the value's number of zero bytes */
};

struct row {
	const char *name;
	enum op op;
	enum at at;
	size_t off;
	unsigned width;
	enum base base;
	int64_t delta;
	bool keep_digest; /* do not recompute the digest */
	int want;
	const char *says;
};

#define MAL					"malformed live patch container"
#define NOT					"not a live patch container"
#define VER					"unsupported container format version"
#define DIG					"the file changed after packing"
#define FIELD(at_, off_, width_, base_, delta_) .at = at_, .off = off_, .width = width_, .base = base_, .delta = delta_

/* clang-format off */
static const struct row rows[] = {
	/* truncated */
	{ "empty file", CUT, FIELD(AT_FILE, 0, 0, V_ABS, 0), true, -ULP_E_NOT_ELF, "not an ELF file" },
	{ "cut inside the ELF magic", CUT, FIELD(AT_FILE, 0, 0, V_ABS, 3), true, -ULP_E_NOT_ELF, "not an ELF file" },
	{ "cut inside the ELF header", CUT, FIELD(AT_FILE, 0, 0, V_ABS, 40), true, -ULP_E_MALFORMED, MAL },
	{ "cut inside the code", CUT, FIELD(AT_FILE, 0, 0, V_ABS, TEXT_OFF + 8), true, -ULP_E_MALFORMED, MAL },
	{ "cut inside the metadata", CUT, FIELD(AT_FILE, 0, 0, V_META_OFF, 50), true, -ULP_E_MALFORMED, MAL },
	{ "cut by one byte", CUT, FIELD(AT_FILE, 0, 0, V_FILE_LEN, -1), true, -ULP_E_MALFORMED, MAL },
	/* the ELF container around the metadata */
	{ "wrong ELF magic", XOR, FIELD(AT_FILE, 1, 1, V_ABS, 0x20), true, -ULP_E_NOT_ELF, "not an ELF file" },
	{ "ELF32", SET, FIELD(AT_FILE, EI_CLASS, 1, V_ABS, ELFCLASS32), false, -ULP_E_NOT_CONTAINER, NOT },
	{ "big-endian ELF", SET, FIELD(AT_FILE, EI_DATA, 1, V_ABS, ELFDATA2MSB), false, -ULP_E_NOT_CONTAINER, NOT },
	{ "section headers past the end", SET, FIELD(AT_FILE, offsetof(Elf64_Ehdr, e_shoff), 8, V_FILE_LEN, -8), false, -ULP_E_MALFORMED, MAL },
	{ "section header size wrong", SET, FIELD(AT_FILE, offsetof(Elf64_Ehdr, e_shentsize), 2, V_ABS, 40), false, -ULP_E_MALFORMED, MAL },
	{ "section count past the end", SET, FIELD(AT_FILE, offsetof(Elf64_Ehdr, e_shnum), 2, V_ABS, 0xfeff), false, -ULP_E_MALFORMED, MAL },
	{ "name table index out of range", SET, FIELD(AT_FILE, offsetof(Elf64_Ehdr, e_shstrndx), 2, V_ABS, 200), false, -ULP_E_MALFORMED, MAL },
	{ "no .ulp.meta section", XOR, FIELD(AT_META_NAME, 5, 1, V_ABS, 0x01), false, -ULP_E_NOT_CONTAINER, NOT },
	{ "two .ulp.meta sections", SET, FIELD(AT_TEXT_SHDR, offsetof(Elf64_Shdr, sh_name), 4, V_META_NAME, 0), false, -ULP_E_MALFORMED, MAL },
	{ ".ulp.meta without contents", SET, FIELD(AT_META_SHDR, offsetof(Elf64_Shdr, sh_type), 4, V_ABS, SHT_NOBITS), true, -ULP_E_MALFORMED, MAL },
	{ ".ulp.meta offset past the end", SET, FIELD(AT_META_SHDR, offsetof(Elf64_Shdr, sh_offset), 8, V_FILE_LEN, 1), true, -ULP_E_MALFORMED, MAL },
	{ ".ulp.meta size past the end", SET, FIELD(AT_META_SHDR, offsetof(Elf64_Shdr, sh_size), 8, V_FILE_LEN, 0), true, -ULP_E_MALFORMED, MAL },
	{ ".ulp.meta smaller than its header", SET, FIELD(AT_META_SHDR, offsetof(Elf64_Shdr, sh_size), 8, V_ABS, 60), true, -ULP_E_MALFORMED, MAL },
	/* the metadata header */
	{ "wrong magic", XOR, FIELD(AT_META, F_MAGIC + 7, 1, V_ABS, 0x01), false, -ULP_E_MALFORMED, MAL },
	{ "version 1", SET, FIELD(AT_META, F_VERSION, 4, V_ABS, 1), false, -ULP_E_VERSION, VER },
	{ "version 3", SET, FIELD(AT_META, F_VERSION, 4, V_ABS, 3), false, -ULP_E_VERSION, VER },
	{ "unknown flag", SET, FIELD(AT_META, F_FLAGS, 4, V_ABS, 1), false, -ULP_E_VERSION, VER },
	{ "header size too small", SET, FIELD(AT_META, F_HEADER_SIZE, 4, V_ABS, 64), false, -ULP_E_MALFORMED, MAL },
	{ "header size too large", SET, FIELD(AT_META, F_HEADER_SIZE, 4, V_ABS, ULP_META_HEADER_SIZE + 8), false, -ULP_E_MALFORMED, MAL },
	{ "total size past the section", SET, FIELD(AT_META, F_TOTAL, 4, V_TOTAL, 1), false, -ULP_E_MALFORMED, MAL },
	{ "total size short of the section", SET, FIELD(AT_META, F_TOTAL, 4, V_TOTAL, -1), false, -ULP_E_MALFORMED, MAL },
	{ "reserved word set", SET, FIELD(AT_META, F_RESERVED, 4, V_ABS, 1), false, -ULP_E_MALFORMED, MAL },
	/* each length and offset past the end, or into the header */
	{ "string table past the end", SET, FIELD(AT_META, F_STRTAB_OFF, 4, V_TOTAL, 0), false, -ULP_E_MALFORMED, MAL },
	{ "string table size past the end", SET, FIELD(AT_META, F_STRTAB_SIZE, 4, V_OLD, 1), false, -ULP_E_MALFORMED, MAL },
	{ "string table offset near 4 GiB", SET, FIELD(AT_META, F_STRTAB_OFF, 4, V_ABS, 0xfffffff0), false, -ULP_E_MALFORMED, MAL },
	{ "string table in the header", SET, FIELD(AT_META, F_STRTAB_OFF, 4, V_ABS, 8), false, -ULP_E_MALFORMED, MAL },
	{ "build-id past the end", SET, FIELD(AT_META, F_BUILDID_OFF, 4, V_TOTAL, -1), false, -ULP_E_MALFORMED, MAL },
	{ "build-id length past the end", SET, FIELD(AT_META, F_BUILDID_LEN, 4, V_TOTAL, 0), false, -ULP_E_MALFORMED, MAL },
	{ "empty build-id", SET, FIELD(AT_META, F_BUILDID_LEN, 4, V_ABS, 0), false, -ULP_E_MALFORMED, MAL },
	{ "functions past the end", SET, FIELD(AT_META, F_FUNCS_OFF, 4, V_TOTAL, -8), false, -ULP_E_MALFORMED, MAL },
	{ "functions in the header", SET, FIELD(AT_META, F_FUNCS_OFF, 4, V_ABS, 0), false, -ULP_E_MALFORMED, MAL },
	{ "function count past the end", SET, FIELD(AT_META, F_NFUNCS, 4, V_ABS, 0x10000000), false, -ULP_E_MALFORMED, MAL },
	{ "no function", SET, FIELD(AT_META, F_NFUNCS, 4, V_ABS, 0), false, -ULP_E_MALFORMED, MAL },
	{ "references past the end", SET, FIELD(AT_META, F_REFS_OFF, 4, V_TOTAL, 4), false, -ULP_E_MALFORMED, MAL },
	{ "references in the header", SET, FIELD(AT_META, F_REFS_OFF, 4, V_ABS, 8), false, -ULP_E_MALFORMED, MAL },
	{ "reference count past the end", SET, FIELD(AT_META, F_NREFS, 4, V_ABS, 0x08000000), false, -ULP_E_MALFORMED, MAL },
	{ "comments past the end", SET, FIELD(AT_META, F_COMMENTS_OFF, 4, V_TOTAL, 4), false, -ULP_E_MALFORMED, MAL },
	{ "comment count past the end", SET, FIELD(AT_META, F_NCOMMENTS, 4, V_ABS, 0xffffffff), false, -ULP_E_MALFORMED, MAL },
	/* strings */
	{ "target name outside the string table", SET, FIELD(AT_META, F_TARGET, 4, V_STRTAB_SIZE, 0), false, -ULP_E_MALFORMED, MAL },
	{ "empty target name", SET, FIELD(AT_META, F_TARGET, 4, V_TARGET_LEN, 0), false, -ULP_E_MALFORMED, MAL },
	{ "old name outside the string table", SET, FIELD(AT_FUNC0, FN_OLD_NAME, 4, V_STRTAB_SIZE, 100), false, -ULP_E_MALFORMED, MAL },
	{ "new name outside the string table", SET, FIELD(AT_FUNC1, FN_NEW_NAME, 4, V_ABS, 0xffffffff), false, -ULP_E_MALFORMED, MAL },
	{ "comment outside the string table", SET, FIELD(AT_COMMENT0, 0, 4, V_STRTAB_SIZE, 0), false, -ULP_E_MALFORMED, MAL },
	{ "reference name outside the string table", SET, FIELD(AT_REF_ADDR, RF_TARGET, 4, V_STRTAB_SIZE, 1), false, -ULP_E_MALFORMED, MAL },
	{ "reference variable outside the string table", SET, FIELD(AT_REF_TLS, RF_PATCH, 4, V_STRTAB_SIZE, 0), false, -ULP_E_MALFORMED, MAL },
	{ "last string without its NUL", SET, FIELD(AT_META, F_STRTAB_SIZE, 4, V_OLD, -1), false, -ULP_E_MALFORMED, MAL },
	{ "string table ends in text", SET, FIELD(AT_STRTAB, 0, 0, V_STRTAB_SIZE, 0), false, -ULP_E_MALFORMED, MAL },
	/* functions */
	{ "function replaced twice", SET, FIELD(AT_FUNC1, FN_OLD_NAME, 4, V_OLD_NAME, 0), false, -ULP_E_MALFORMED, MAL },
	{ "old function of size 0", SET, FIELD(AT_FUNC0, FN_OLD_SIZE, 8, V_ABS, 0), false, -ULP_E_MALFORMED, MAL },
	{ "old function wraps", SET, FIELD(AT_FUNC0, FN_OLD_SIZE, 8, V_ABS, UINT64_MAX), false, -ULP_E_MALFORMED, MAL },
	{ "new function wraps", SET, FIELD(AT_FUNC1, FN_NEW_SIZE, 8, V_ABS, -2), false, -ULP_E_MALFORMED, MAL },
	{ "new function past the patch's segments", SET, FIELD(AT_FUNC0, FN_NEW_OFF, 8, V_UNMAPPED, 0), false, -ULP_E_MALFORMED, MAL },
	{ "new function in the patch's data", SET, FIELD(AT_FUNC1, FN_NEW_OFF, 8, V_DATA_ADDR, 0), false, -ULP_E_MALFORMED, MAL },
	/* references */
	{ "reference of no kind", SET, FIELD(AT_REF_ADDR, RF_KIND, 4, V_ABS, 0), false, -ULP_E_MALFORMED, MAL },
	{ "reference of an unknown kind", SET, FIELD(AT_REF_ADDR, RF_KIND, 4, V_ABS, CONTAINER_REF_KIND_MAX + 1), false, -ULP_E_MALFORMED, MAL },
	{ "reference reserved word set", SET, FIELD(AT_REF_TLS, RF_RESERVED, 4, V_ABS, 1), false, -ULP_E_MALFORMED, MAL },
	{ "reference variable wraps", SET, FIELD(AT_REF_ADDR, RF_PATCH_OFF, 8, V_ABS, -4), false, -ULP_E_MALFORMED, MAL },
	{ "original of a function not replaced", SET, FIELD(AT_REF_ORIG, RF_TARGET_OFF, 8, V_OLD, 4), false, -ULP_E_MALFORMED, MAL },
	{ "hook with a target offset", SET, FIELD(AT_HOOK, RF_TARGET_OFF, 8, V_ABS, 0x10), false, -ULP_E_MALFORMED, MAL },
	{ "one hook twice", SET, FIELD(AT_HOOK2, RF_KIND, 4, V_ABS, CONTAINER_REF_PRE_PATCH), false, -ULP_E_MALFORMED, MAL },
	{ "reference variable past the patch's segments", SET, FIELD(AT_REF_ADDR, RF_PATCH_OFF, 8, V_UNMAPPED, 0), false, -ULP_E_MALFORMED, MAL },
	{ "reference variable in the patch's code", SET, FIELD(AT_REF_TLS, RF_PATCH_OFF, 8, V_TEXT_ADDR, 0), false, -ULP_E_MALFORMED, MAL },
	{ "reference variable across the data's end", SET, FIELD(AT_REF_TLS, RF_PATCH_OFF, 8, V_DATA_END, -8), false, -ULP_E_MALFORMED, MAL },
	{ "hook in the patch's data", SET, FIELD(AT_HOOK, RF_PATCH_OFF, 8, V_DATA_ADDR, 0), false, -ULP_E_MALFORMED, MAL },
	/* changed after packing: the digest says so */
	{ "a byte of code changed", XOR, FIELD(AT_TEXT, 4, 1, V_ABS, 0x01), true, -ULP_E_DIGEST, DIG },
	{ "a function offset changed", XOR, FIELD(AT_FUNC0, FN_OLD_OFF, 1, V_ABS, 0x10), true, -ULP_E_DIGEST, DIG },
	{ "a name changed", XOR, FIELD(AT_STRTAB, 0, 1, V_ABS, 0x01), true, -ULP_E_DIGEST, DIG },
	{ "the digest changed", XOR, FIELD(AT_META, F_DIGEST + 31, 1, V_ABS, 0x80), true, -ULP_E_DIGEST, DIG },
	{ "bytes appended", GROW, FIELD(AT_FILE, 0, 0, V_ABS, 16), true, -ULP_E_DIGEST, DIG },
};
/* clang-format on */

/* The file offset a row's @at names; 0 when this container has none. */
static size_t row_where(const struct image *im, enum at at)
{
	switch (at) {
	case AT_FILE:
		return 0;
	case AT_META_SHDR:
		return im->meta_shdr;
	case AT_TEXT_SHDR:
		return im->text_shdr;
	case AT_META_NAME:
		return im->meta_name;
	case AT_TEXT:
		return im->text;
	case AT_META:
		return im->meta;
	case AT_FUNC0:
		return entry(im, F_FUNCS_OFF, 0, ULP_META_FUNC_SIZE);
	case AT_FUNC1:
		return meta32(im, F_NFUNCS) > 1 ? entry(im, F_FUNCS_OFF, 1, ULP_META_FUNC_SIZE) : 0;
	case AT_REF_ADDR:
		return ref_of_kind(im, CONTAINER_REF_ADDR);
	case AT_REF_TLS:
		return ref_of_kind(im, CONTAINER_REF_TLS);
	case AT_REF_ORIG:
		return ref_of_kind(im, CONTAINER_REF_ORIGINAL);
	case AT_HOOK:
		return ref_of_kind(im, CONTAINER_REF_PRE_PATCH);
	case AT_HOOK2:
		return ref_of_kind(im, CONTAINER_REF_POST_PATCH);
	case AT_COMMENT0:
		return meta32(im, F_NCOMMENTS) ? entry(im, F_COMMENTS_OFF, 0, ULP_META_COMMENT_SIZE) : 0;
	case AT_STRTAB:
		return im->meta + meta32(im, F_STRTAB_OFF);
	}
	return 0;
}

static uint64_t row_value(const struct image *im, const struct row *row, size_t where)
{
	const uint8_t *m = im->f + im->meta;
	switch (row->base) {
	case V_ABS:
		return (uint64_t)row->delta;
	case V_OLD:
		return get_le(im->f + where, row->width) + (uint64_t)row->delta;
	case V_FILE_LEN:
		return im->len + (uint64_t)row->delta;
	case V_META_OFF:
		return im->meta + (uint64_t)row->delta;
	case V_TOTAL:
		return im->meta_size + (uint64_t)row->delta;
	case V_STRTAB_SIZE:
		return meta32(im, F_STRTAB_SIZE) + (uint64_t)row->delta;
	case V_META_NAME:
		return get_le(im->f + im->meta_shdr + offsetof(Elf64_Shdr, sh_name), 4);
	case V_TARGET_LEN: {
		uint32_t target = meta32(im, F_TARGET);
		return target + strlen((const char *)m + meta32(im, F_STRTAB_OFF) + target);
	}
	case V_OLD_NAME:
		return get_le(im->f + entry(im, F_FUNCS_OFF, 0, ULP_META_FUNC_SIZE) + FN_OLD_NAME, 4);
	case V_TEXT_ADDR:
		return im->text_addr + (uint64_t)row->delta;
	case V_DATA_ADDR:
		return im->data_addr + (uint64_t)row->delta;
	case V_DATA_END:
		return im->data_end + (uint64_t)row->delta;
	case V_UNMAPPED:
		return im->past_segments + (uint64_t)row->delta;
	}
	return 0;
}

/*
 * Apply @row to a copy of @good; false when this container has nothing
 * the row can change.  "string table ends in text" (width 0 at AT_STRTAB)
 * overwrites the table's last byte, its last NUL.
 */
static bool row_apply(const struct row *row, const struct image *good, struct image *im)
{
	*im = *good;
	im->f = malloc(good->len + 64);
	assert_non_null(im->f);
	memcpy(im->f, good->f, good->len);
	size_t where = row_where(good, row->at);
	if (row->at != AT_FILE && where == 0)
		return false;
	where += row->off;
	uint64_t v = row_value(good, row, where);
	switch (row->op) {
	case SET:
		if (row->at == AT_STRTAB && row->width == 0)
			im->f[where + v - 1] = 'x';
		else
			put_le(im->f + where, row->width, v);
		break;
	case XOR:
		im->f[where] ^= (uint8_t)v;
		break;
	case CUT:
		im->len = (size_t)v;
		break;
	case GROW:
		memset(im->f + im->len, 0, (size_t)v);
		im->len += (size_t)v;
		break;
	}
	if (!row->keep_digest)
		digest_fix(im);
	return true;
}

/* Run every row on @good; return how many did not apply. */
static unsigned table_run(const char *what, const struct image *good)
{
	unsigned skipped = 0, failed = 0;
	struct container c = CONTAINER_INIT;
	assert_int_equal(container_parse(good->f, good->len, &c), 0);
	container_release(&c);

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		struct image im;
		if (!row_apply(row, good, &im)) {
			skipped++;
			free(im.f);
			continue;
		}
		if (im.len == good->len && memcmp(im.f, good->f, im.len) == 0)
			fail_msg("%s: '%s' changed nothing", what, row->name);
		int r = container_parse(im.f, im.len, &c);
		container_release(&c);
		const char *msg = r < 0 ? ulp_strerror(r) : "(accepted)";
		if (r != row->want || !strstr(msg, row->says)) {
			print_error("%s: '%s': got %d \"%s\", want %d \"%s\"\n", what, row->name, r, msg, row->want,
				    ulp_strerror(row->want));
			failed++;
		}
		free(im.f);
	}
	if (failed)
		fail_msg("%s: %u of %zu rows refused wrongly", what, failed, sizeof(rows) / sizeof(rows[0]));
	return skipped;
}

static void test_table_here(void **state)
{
	(void)state;
	struct image good = { 0 };
	good.f = container_here(&good.len);
	image_locate(&good);
	assert_int_equal(table_run("container_write()", &good), 0);
	free(good.f);
}

/*
 * A container with many pairs and many original-body references costs
 * the parser a sort, not a comparison of every pair with every other:
 * before, 200,000 pairs took minutes (this test ran into its timeout).
 * The same with the last pair naming the first one's function (the
 * writer refuses that, so the bytes are changed and the digest made
 * again): refused.
 */
#define MANY 200000u

static void test_many_pairs(void **state)
{
	(void)state;
	struct container_func *fs = calloc(MANY, sizeof(*fs));
	struct container_ref *rs = calloc(MANY, sizeof(*rs));
	char(*names)[16] = calloc(MANY, 16);
	assert_true(fs && rs && names);
	for (uint32_t i = 0; i < MANY; i++) {
		snprintf(names[i], 16, "f%u", i);
		fs[i] = (struct container_func){ names[i], "foo_v2", 0x100000 + 16 * (uint64_t)i, 8, TEXT_OFF, 16 };
		rs[i] = (struct container_ref){ CONTAINER_REF_ORIGINAL, names[i], "orig", fs[i].old_off, DATA_OFF };
	}
	struct container_spec many = spec;
	many.nfuncs = MANY;
	many.funcs = fs;
	many.nrefs = MANY;
	many.refs = rs;
	struct image im = { 0 };
	im.f = container_of(&many, &im.len);
	struct container c;
	assert_int_equal(container_parse(im.f, im.len, &c), 0);
	assert_int_equal(c.nfuncs, MANY);
	container_release(&c);

	image_locate(&im);
	size_t first = entry(&im, F_FUNCS_OFF, 0, ULP_META_FUNC_SIZE);
	size_t last = entry(&im, F_FUNCS_OFF, MANY - 1, ULP_META_FUNC_SIZE);
	put_le(im.f + last + FN_OLD_NAME, 4, get_le(im.f + first + FN_OLD_NAME, 4));
	digest_fix(&im);
	assert_int_equal(container_parse(im.f, im.len, &c), -ULP_E_MALFORMED);
	free(im.f);
	free(fs);
	free(rs);
	free(names);
}

static const char *fixture;

static void test_table_packer(void **state)
{
	(void)state;
	if (!fixture)
		skip();
	struct image good = { 0 };
	good.f = file_get(fixture, &good.len);
	image_locate(&good);
	unsigned skipped = table_run(fixture, &good);
	print_message("%s: %u rows need what this container does not have\n", fixture, skipped);
	free(good.f);
}

int main(int argc, char **argv)
{
	fixture = argc > 1 ? argv[1] : NULL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_here),
		cmocka_unit_test(test_table_packer),
		cmocka_unit_test(test_many_pairs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
