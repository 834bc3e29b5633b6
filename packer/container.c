/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container.c - read, validate and write the live patch container: a patch
 * object (ELF64, little-endian) carrying a ULP_META_SECTION section whose
 * layout container.h and docs/container.md specify.
 *
 * Linked into libpulp.so, so libc and <elf.h> only; every ELF field is read
 * byte by byte as little-endian, never through a cast of the file buffer.
 * The file is read with read(2), not mapped: a file truncated under a
 * mapping would raise SIGBUS in the target process.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "packer/sha256.h"

/* A patch object is small; refuse anything absurd before allocating it. */
#define CONTAINER_MAX_FILE (1ULL << 30)

/* Offsets inside the metadata header (see container.h). */
enum {
	H_MAGIC = 0,
	H_VERSION = 8,
	H_HEADER_SIZE = 12,
	H_FLAGS = 16,
	H_NFUNCS = 20,
	H_NREFS = 24,
	H_NCOMMENTS = 28,
	H_STRTAB_OFF = 32,
	H_STRTAB_SIZE = 36,
	H_TARGET = 40,
	H_BUILDID_OFF = 44,
	H_BUILDID_LEN = 48,
	H_FUNCS_OFF = 52,
	H_COMMENTS_OFF = 56,
	H_TOTAL = 60,
	H_REFS_OFF = 96,
	H_RESERVED = 100,
};

/* --- little-endian access --- */

/* The @width-byte field at @base + @off; FIELD(type, member) gives both
 * for a member of an <elf.h> structure. */
static uint64_t field_get(const uint8_t *base, size_t off, size_t width)
{
	uint64_t v = 0;
	for (size_t i = width; i-- > 0;)
		v = v << 8 | base[off + i];
	return v;
}

static void field_put(uint8_t *base, size_t off, size_t width, uint64_t v)
{
	for (size_t i = 0; i < width; i++)
		base[off + i] = (uint8_t)(v >> (8 * i));
}

#define FIELD(type, f) offsetof(type, f), sizeof(((type *)0)->f)
#define LE32(p)	       ((uint32_t)field_get((p), 0, 4))
#define LE64(p)	       field_get((p), 0, 8)

/* --- the section header table of an ELF64 LSB file in memory --- */

struct elf_view {
	const uint8_t *file;
	size_t len;
	uint64_t shoff;
	uint32_t shnum;
	uint32_t shstrndx;
};

struct section {
	uint32_t name;
	uint32_t type;
	uint64_t offset;
	uint64_t size;
};

static uint64_t shdr_get(const struct elf_view *v, uint32_t i, size_t off, size_t width)
{
	return field_get(v->file + v->shoff + (uint64_t)i * sizeof(Elf64_Shdr), off, width);
}

static struct section section_get(const struct elf_view *v, uint32_t i)
{
	return (struct section){
		.name = (uint32_t)shdr_get(v, i, FIELD(Elf64_Shdr, sh_name)),
		.type = (uint32_t)shdr_get(v, i, FIELD(Elf64_Shdr, sh_type)),
		.offset = shdr_get(v, i, FIELD(Elf64_Shdr, sh_offset)),
		.size = shdr_get(v, i, FIELD(Elf64_Shdr, sh_size)),
	};
}

/* Does [off, off + size) lie inside a buffer of @len bytes? */
static bool range_ok(uint64_t off, uint64_t size, uint64_t len)
{
	return off <= len && size <= len - off;
}

static int ehdr_check(const uint8_t *file, size_t len)
{
	if (len < SELFMAG || memcmp(file, ELFMAG, SELFMAG) != 0)
		return -ULP_E_NOT_ELF;
	if (len < sizeof(Elf64_Ehdr))
		return -ULP_E_MALFORMED;
	/* The packer only writes ELF64 LSB containers; anything else is a
	 * valid ELF file that cannot be one. */
	if (file[EI_CLASS] != ELFCLASS64 || file[EI_DATA] != ELFDATA2LSB)
		return -ULP_E_NOT_CONTAINER;
	if (file[EI_VERSION] != EV_CURRENT)
		return -ULP_E_MALFORMED;
	return 0;
}

/* elf_view_init() - check the ELF header and locate the section headers,
 * following the extended numbering of ELF gABI for huge section counts. */
static int elf_view_init(const uint8_t *file, size_t len, struct elf_view *ret_v)
{
	int r = ehdr_check(file, len);
	if (r < 0)
		return r;
	struct elf_view v = { .file = file, .len = len };
	v.shoff = field_get(file, FIELD(Elf64_Ehdr, e_shoff));
	v.shnum = (uint32_t)field_get(file, FIELD(Elf64_Ehdr, e_shnum));
	v.shstrndx = (uint32_t)field_get(file, FIELD(Elf64_Ehdr, e_shstrndx));
	if (v.shoff == 0)
		return -ULP_E_NOT_CONTAINER;
	if (field_get(file, FIELD(Elf64_Ehdr, e_shentsize)) != sizeof(Elf64_Shdr) ||
	    !range_ok(v.shoff, sizeof(Elf64_Shdr), len))
		return -ULP_E_MALFORMED;
	if (v.shnum == 0) {
		uint64_t n = shdr_get(&v, 0, FIELD(Elf64_Shdr, sh_size));
		if (n > UINT32_MAX)
			return -ULP_E_MALFORMED;
		v.shnum = (uint32_t)n;
	}
	if (v.shstrndx == SHN_XINDEX)
		v.shstrndx = (uint32_t)shdr_get(&v, 0, FIELD(Elf64_Shdr, sh_link));
	if (v.shnum == 0 || !range_ok(v.shoff, (uint64_t)v.shnum * sizeof(Elf64_Shdr), len) ||
	    v.shstrndx == SHN_UNDEF || v.shstrndx >= v.shnum)
		return -ULP_E_MALFORMED;
	*ret_v = v;
	return 0;
}

/* Find the one section named ULP_META_SECTION; its index goes to @ret_i. */
static int meta_find(const struct elf_view *v, uint32_t *ret_i)
{
	struct section strtab = section_get(v, v->shstrndx);
	if (strtab.type == SHT_NOBITS || !range_ok(strtab.offset, strtab.size, v->len))
		return -ULP_E_MALFORMED;
	const char *names = (const char *)v->file + strtab.offset;
	static const char want[] = ULP_META_SECTION;
	bool found = false;

	for (uint32_t i = 1; i < v->shnum; i++) {
		struct section s = section_get(v, i);
		if (s.name >= strtab.size || strtab.size - s.name < sizeof(want) ||
		    memcmp(names + s.name, want, sizeof(want)) != 0)
			continue;
		if (found || s.type == SHT_NOBITS || !range_ok(s.offset, s.size, v->len))
			return -ULP_E_MALFORMED;
		found = true;
		*ret_i = i;
	}
	return found ? 0 : -ULP_E_NOT_CONTAINER;
}

/* --- the digest --- */

/* SHA-256 of @file with the ULP_DIGEST_LEN bytes at @pos read as zeros. */
static void digest_compute(const uint8_t *file, size_t len, size_t pos, uint8_t out[ULP_DIGEST_LEN])
{
	static const uint8_t zeros[ULP_DIGEST_LEN];
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, file, pos);
	sha256_update(&s, zeros, ULP_DIGEST_LEN);
	sha256_update(&s, file + pos + ULP_DIGEST_LEN, len - pos - ULP_DIGEST_LEN);
	sha256_final(&s, out);
}

void hex_encode(const uint8_t *p, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

void container_id_hex(const uint8_t digest[ULP_DIGEST_LEN], char out[2 * ULP_DIGEST_LEN + 1])
{
	hex_encode(digest, ULP_DIGEST_LEN, out);
}

/* --- parsing the metadata --- */

/* Fixed part of the header: magic, version, sizes.  Run before the digest
 * so that a container from a newer packer reports its version. */
static int meta_check_header(const uint8_t *meta, uint64_t size)
{
	if (size < H_HEADER_SIZE || memcmp(meta + H_MAGIC, ULP_META_MAGIC, 8) != 0)
		return -ULP_E_MALFORMED;
	if (LE32(meta + H_VERSION) != ULP_META_VERSION)
		return -ULP_E_VERSION;
	if (size < ULP_META_HEADER_SIZE || LE32(meta + H_HEADER_SIZE) != ULP_META_HEADER_SIZE ||
	    LE32(meta + H_TOTAL) != size)
		return -ULP_E_MALFORMED;
	/* Flags announce features a newer packer used; we know none. */
	if (LE32(meta + H_FLAGS) != 0)
		return -ULP_E_VERSION;
	return 0;
}

/* A table of @count entries of @entsize bytes at @off, after the header. */
static bool table_ok(uint32_t off, uint32_t count, uint32_t entsize, uint64_t total)
{
	return off >= ULP_META_HEADER_SIZE && range_ok(off, (uint64_t)count * entsize, total);
}

/* The NUL-terminated string at strtab offset @off, or NULL. */
static const char *meta_str(const struct container *c, uint32_t off)
{
	const uint8_t *meta = c->meta;
	uint32_t strtab_off = LE32(meta + H_STRTAB_OFF);
	uint32_t strtab_size = LE32(meta + H_STRTAB_SIZE);
	if (off >= strtab_size)
		return NULL;
	const char *s = (const char *)meta + strtab_off + off;
	return memchr(s, '\0', strtab_size - off) ? s : NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int off_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Two pairs for one function would patch it twice.  Sorted, any two
 * equal names are neighbours: a hostile container with a million pairs
 * costs a sort, not a million squared comparisons.
 */
static int funcs_unique(const struct container *c)
{
	const char **names = malloc(c->nfuncs * sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->nfuncs; i++)
		names[i] = c->funcs[i].old_name;
	qsort(names, c->nfuncs, sizeof(*names), name_cmp);
	int r = 0;
	for (uint32_t i = 1; r == 0 && i < c->nfuncs; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			r = -ULP_E_MALFORMED;
	free(names);
	return r;
}

static int meta_parse_funcs(struct container *c, uint32_t funcs_off)
{
	c->funcs = calloc(c->nfuncs, sizeof(*c->funcs));
	if (!c->funcs)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		const uint8_t *e = c->meta + funcs_off + (size_t)i * ULP_META_FUNC_SIZE;
		struct container_func *f = &c->funcs[i];
		f->old_name = meta_str(c, LE32(e));
		f->new_name = meta_str(c, LE32(e + 4));
		f->old_off = LE64(e + 8);
		f->old_size = LE64(e + 16);
		f->new_off = LE64(e + 24);
		f->new_size = LE64(e + 32);
		if (!f->old_name || !f->new_name || !*f->old_name || !*f->new_name)
			return -ULP_E_MALFORMED;
		if (f->old_size == 0 || f->old_off + f->old_size < f->old_off || f->new_off + f->new_size < f->new_off)
			return -ULP_E_MALFORMED;
	}
	return funcs_unique(c);
}

static int meta_parse_comments(struct container *c, uint32_t comments_off)
{
	if (c->ncomments == 0)
		return 0;
	c->comments = calloc(c->ncomments, sizeof(*c->comments));
	if (!c->comments)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->ncomments; i++) {
		c->comments[i] = meta_str(c, LE32(c->meta + comments_off + (size_t)i * ULP_META_COMMENT_SIZE));
		if (!c->comments[i])
			return -ULP_E_MALFORMED;
	}
	return 0;
}

/* The width of the patch variable a reference of @kind fills (hooks: none). */
static uint64_t ref_patch_width(uint32_t kind)
{
	return kind == CONTAINER_REF_TLS ? 16 : kind <= CONTAINER_REF_ORIGINAL ? 8 : 1;
}

/* @olds: the replaced functions' offsets, sorted (for original bodies). */
static bool ref_ok(const struct container *c, const struct container_ref *ref, uint32_t i, const uint64_t *olds)
{
	if (ref->kind == 0 || ref->kind > CONTAINER_REF_KIND_MAX || !ref->target_sym || !ref->patch_sym ||
	    !*ref->target_sym || !*ref->patch_sym || ref->patch_off + ref_patch_width(ref->kind) < ref->patch_off)
		return false;
	if (container_ref_is_hook(ref->kind)) {
		/* One hook of each kind, called without a target symbol. */
		for (uint32_t j = 0; j < i; j++)
			if (c->refs[j].kind == ref->kind)
				return false;
		return ref->target_off == 0;
	}
	if (ref->kind != CONTAINER_REF_ORIGINAL)
		return true;
	/* The original body of a function this patch does not replace
	 * would be the same as its address: a packer bug. */
	return bsearch(&ref->target_off, olds, c->nfuncs, sizeof(*olds), off_cmp) != NULL;
}

static int meta_parse_refs(struct container *c, uint32_t refs_off)
{
	if (c->nrefs == 0)
		return 0;
	c->refs = calloc(c->nrefs, sizeof(*c->refs));
	uint64_t *olds = malloc(c->nfuncs * sizeof(*olds));
	if (!c->refs || !olds) {
		free(olds);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < c->nfuncs; i++)
		olds[i] = c->funcs[i].old_off;
	qsort(olds, c->nfuncs, sizeof(*olds), off_cmp);
	int r = 0;
	for (uint32_t i = 0; i < c->nrefs; i++) {
		const uint8_t *e = c->meta + refs_off + (size_t)i * ULP_META_REF_SIZE;
		struct container_ref *ref = &c->refs[i];
		ref->kind = LE32(e);
		ref->target_sym = meta_str(c, LE32(e + 4));
		ref->patch_sym = meta_str(c, LE32(e + 8));
		ref->target_off = LE64(e + 16);
		ref->patch_off = LE64(e + 24);
		if (LE32(e + 12) != 0 || !ref_ok(c, ref, i, olds)) {
			r = -ULP_E_MALFORMED;
			break;
		}
	}
	free(olds);
	return r;
}

/* Every count, offset and string of the header, against the section. */
static int meta_parse_fields(struct container *c)
{
	const uint8_t *m = c->meta;
	uint64_t total = c->meta_len;
	uint32_t funcs_off = LE32(m + H_FUNCS_OFF), comments_off = LE32(m + H_COMMENTS_OFF);
	uint32_t buildid_off = LE32(m + H_BUILDID_OFF), refs_off = LE32(m + H_REFS_OFF);

	c->version = LE32(m + H_VERSION);
	c->nfuncs = LE32(m + H_NFUNCS);
	c->ncomments = LE32(m + H_NCOMMENTS);
	c->nrefs = LE32(m + H_NREFS);
	if (LE32(m + H_RESERVED) != 0)
		return -ULP_E_MALFORMED;
	c->buildid_len = LE32(m + H_BUILDID_LEN);
	if (!table_ok(LE32(m + H_STRTAB_OFF), LE32(m + H_STRTAB_SIZE), 1, total) ||
	    !table_ok(buildid_off, c->buildid_len, 1, total) || c->buildid_len == 0 ||
	    !table_ok(funcs_off, c->nfuncs, ULP_META_FUNC_SIZE, total) || c->nfuncs == 0 ||
	    !table_ok(comments_off, c->ncomments, ULP_META_COMMENT_SIZE, total) ||
	    !table_ok(refs_off, c->nrefs, ULP_META_REF_SIZE, total))
		return -ULP_E_MALFORMED;
	c->buildid = m + buildid_off;
	c->target_name = meta_str(c, LE32(m + H_TARGET));
	if (!c->target_name || !*c->target_name)
		return -ULP_E_MALFORMED;
	int r = meta_parse_funcs(c, funcs_off);
	if (r == 0)
		r = meta_parse_comments(c, comments_off);
	return r < 0 ? r : meta_parse_refs(c, refs_off);
}

/* --- the patch object's own offsets --- */

#define PATCH_PHNUM_MAX 64

/*
 * segment_covers() - whether [addr, addr + len) lies in one PT_LOAD
 * segment of @v with @flag and, for PF_W, outside PT_GNU_RELRO (read-only
 * once relocated): the rule the runtime applies to the mapped patch.
 */
static bool segment_covers(const struct elf_view *v, uint64_t addr, uint64_t len, uint32_t flag)
{
	const uint8_t *f = v->file;
	uint64_t phoff = field_get(f, FIELD(Elf64_Ehdr, e_phoff));
	uint64_t phnum = field_get(f, FIELD(Elf64_Ehdr, e_phnum));
	if (phnum == PN_XNUM)
		phnum = shdr_get(v, 0, FIELD(Elf64_Shdr, sh_info));
	if (field_get(f, FIELD(Elf64_Ehdr, e_phentsize)) != sizeof(Elf64_Phdr) ||
	    !range_ok(phoff, phnum * sizeof(Elf64_Phdr), v->len))
		return false;
	bool inside = false;
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + i * sizeof(Elf64_Phdr);
		uint32_t type = (uint32_t)field_get(ph, FIELD(Elf64_Phdr, p_type));
		uint32_t flags = (uint32_t)field_get(ph, FIELD(Elf64_Phdr, p_flags));
		uint64_t vaddr = field_get(ph, FIELD(Elf64_Phdr, p_vaddr));
		uint64_t memsz = field_get(ph, FIELD(Elf64_Phdr, p_memsz));
		if (type == PT_LOAD && (flags & flag) && addr >= vaddr && range_ok(addr - vaddr, len, memsz))
			inside = true;
		if (flag == PF_W && type == PT_GNU_RELRO && addr + len > vaddr && addr - vaddr < memsz)
			return false;
	}
	return inside;
}

/*
 * Each new function in the patch object's code, each reference variable
 * in its writable data, each hook in its code.  The runtime checks the
 * same in the target, but only after dlopen() ran the patch's
 * constructors there: refused here, such a container never reaches a
 * process.  (Where the target's functions are only the target can say.)
 */
static int patch_offsets_check(const struct elf_view *v, const struct container *c)
{
	/* Each check walks the program headers: a linker writes a dozen, and
	 * a hostile file must not make that a walk of millions per entry. */
	uint64_t phnum = field_get(v->file, FIELD(Elf64_Ehdr, e_phnum));
	if (phnum == PN_XNUM || phnum > PATCH_PHNUM_MAX)
		return -ULP_E_MALFORMED;
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		const struct container_func *f = &c->funcs[i];
		if (!segment_covers(v, f->new_off, f->new_size ? f->new_size : 1, PF_X))
			return -ULP_E_MALFORMED;
	}
	for (uint32_t i = 0; i < c->nrefs; i++) {
		const struct container_ref *ref = &c->refs[i];
		uint32_t flag = container_ref_is_hook(ref->kind) ? PF_X : PF_W;
		if (!segment_covers(v, ref->patch_off, ref_patch_width(ref->kind), flag))
			return -ULP_E_MALFORMED;
	}
	return 0;
}

int container_parse(const uint8_t *file, size_t len, struct container *ret_c)
{
	struct container c = CONTAINER_INIT;
	struct elf_view v;
	uint32_t idx;
	int r = elf_view_init(file, len, &v);
	if (r < 0)
		goto out;
	r = meta_find(&v, &idx);
	if (r < 0)
		goto out;
	struct section meta = section_get(&v, idx);
	r = meta_check_header(file + meta.offset, meta.size);
	if (r < 0)
		goto out;

	digest_compute(file, len, meta.offset + ULP_META_DIGEST_OFF, c.digest);
	r = -ULP_E_DIGEST;
	if (memcmp(c.digest, file + meta.offset + ULP_META_DIGEST_OFF, ULP_DIGEST_LEN) != 0)
		goto out;

	r = -ENOMEM;
	c.meta = malloc(meta.size);
	if (!c.meta)
		goto out;
	memcpy(c.meta, file + meta.offset, meta.size);
	c.meta_len = meta.size;
	r = meta_parse_fields(&c);
	if (r == 0)
		r = patch_offsets_check(&v, &c);
	if (r < 0)
		goto out;
	*ret_c = c;
	c = (struct container)CONTAINER_INIT;
out:
	container_release(&c);
	return r;
}

void container_release(struct container *c)
{
	free(c->meta);
	free(c->funcs);
	free(c->comments);
	free(c->refs);
	*c = (struct container)CONTAINER_INIT;
}

/* --- files --- */

/* Read all of @path into a new buffer; @ret_mode gets its permissions. */
static int file_load(const char *path, uint8_t **ret_buf, size_t *ret_len, mode_t *ret_mode)
{
	uint8_t *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = fstat(fd, &st) < 0 ? -errno : 0;
	if (r == 0 && (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > CONTAINER_MAX_FILE))
		r = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
	if (r == 0 && !(buf = malloc(st.st_size ? (size_t)st.st_size : 1)))
		r = -ENOMEM;
	if (r < 0)
		goto out;
	size_t done = 0;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* n == 0: the file shrank while we read it. */
			r = n < 0 ? -errno : -EIO;
			goto out;
		}
		done += (size_t)n;
	}
	*ret_buf = buf;
	*ret_len = done;
	if (ret_mode)
		*ret_mode = st.st_mode & 07777;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

int container_read(const char *path, struct container *ret_c)
{
	uint8_t *file = NULL;
	size_t len = 0;
	int r = file_load(path, &file, &len, NULL);
	if (r < 0)
		return r;
	r = container_parse(file, len, ret_c);
	free(file);
	return r;
}

/* --- writing --- */

struct buf {
	uint8_t *data;
	size_t len, cap;
};

/* clang-format off */
#define BUF_INIT {.data = NULL}
/* clang-format on */

static int buf_append(struct buf *b, const void *p, size_t n)
{
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->len < n)
			cap *= 2;
		uint8_t *data = realloc(b->data, cap);
		if (!data)
			return -ENOMEM;
		b->data = data;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static int buf_pad(struct buf *b, size_t align)
{
	static const uint8_t zeros[16];
	return buf_append(b, zeros, (align - b->len % align) % align);
}

static void buf_release(struct buf *b)
{
	free(b->data);
	*b = (struct buf)BUF_INIT;
}

static int spec_check(const struct container_spec *spec)
{
	if (!spec->target_name || !*spec->target_name || !spec->buildid || spec->buildid_len == 0 ||
	    spec->nfuncs == 0 || !spec->funcs || (spec->ncomments && !spec->comments) || (spec->nrefs && !spec->refs))
		return -EINVAL;
	for (uint32_t i = 0; i < spec->nfuncs; i++) {
		const struct container_func *f = &spec->funcs[i];
		if (!f->old_name || !f->new_name || !*f->old_name || !*f->new_name || f->old_size == 0)
			return -EINVAL;
	}
	for (uint32_t i = 0; i < spec->ncomments; i++)
		if (!spec->comments[i])
			return -EINVAL;
	for (uint32_t i = 0; i < spec->nrefs; i++)
		if (!spec->refs[i].target_sym || !spec->refs[i].patch_sym)
			return -EINVAL;
	return 0;
}

/* Size of the string table @spec needs. */
static uint64_t spec_strtab_size(const struct container_spec *spec)
{
	uint64_t n = strlen(spec->target_name) + 1;
	for (uint32_t i = 0; i < spec->nfuncs; i++)
		n += strlen(spec->funcs[i].old_name) + 1 + strlen(spec->funcs[i].new_name) + 1;
	for (uint32_t i = 0; i < spec->ncomments; i++)
		n += strlen(spec->comments[i]) + 1;
	for (uint32_t i = 0; i < spec->nrefs; i++)
		n += strlen(spec->refs[i].target_sym) + 1 + strlen(spec->refs[i].patch_sym) + 1;
	return n;
}

/* Copy @s into the string table at @m + @strtab_off; return its offset. */
static uint32_t strtab_add(uint8_t *m, uint32_t strtab_off, uint32_t *used, const char *s)
{
	uint32_t off = *used;
	size_t n = strlen(s) + 1;
	memcpy(m + strtab_off + off, s, n);
	*used += (uint32_t)n;
	return off;
}

/*
 * meta_build() - the metadata section for @spec, digest zeroed.  Order:
 *
 *   | header (104) | funcs (n x 40) | refs (n x 32) | comments (n x 4) |
 *   | build-id | strtab |
 */
static int meta_build(const struct container_spec *spec, uint8_t **ret_meta, uint32_t *ret_len)
{
	uint64_t refs_off = ULP_META_HEADER_SIZE + (uint64_t)spec->nfuncs * ULP_META_FUNC_SIZE;
	uint64_t comments_off = refs_off + (uint64_t)spec->nrefs * ULP_META_REF_SIZE;
	uint64_t buildid_off = comments_off + (uint64_t)spec->ncomments * ULP_META_COMMENT_SIZE;
	uint64_t strtab_off = buildid_off + spec->buildid_len;
	uint64_t strtab_size = spec_strtab_size(spec);
	uint64_t total = strtab_off + strtab_size;
	if (total > UINT32_MAX)
		return -EOVERFLOW;
	uint8_t *m = calloc(1, total);
	if (!m)
		return -ENOMEM;

	uint32_t used = 0, so = (uint32_t)strtab_off;
	memcpy(m + H_MAGIC, ULP_META_MAGIC, 8);
	field_put(m, H_VERSION, 4, ULP_META_VERSION);
	field_put(m, H_HEADER_SIZE, 4, ULP_META_HEADER_SIZE);
	field_put(m, H_NFUNCS, 4, spec->nfuncs);
	field_put(m, H_NCOMMENTS, 4, spec->ncomments);
	field_put(m, H_NREFS, 4, spec->nrefs);
	field_put(m, H_REFS_OFF, 4, refs_off);
	field_put(m, H_STRTAB_OFF, 4, strtab_off);
	field_put(m, H_STRTAB_SIZE, 4, strtab_size);
	field_put(m, H_TARGET, 4, strtab_add(m, so, &used, spec->target_name));
	field_put(m, H_BUILDID_OFF, 4, buildid_off);
	field_put(m, H_BUILDID_LEN, 4, spec->buildid_len);
	field_put(m, H_FUNCS_OFF, 4, ULP_META_HEADER_SIZE);
	field_put(m, H_COMMENTS_OFF, 4, comments_off);
	field_put(m, H_TOTAL, 4, total);
	memcpy(m + buildid_off, spec->buildid, spec->buildid_len);
	for (uint32_t i = 0; i < spec->nfuncs; i++) {
		const struct container_func *f = &spec->funcs[i];
		uint8_t *e = m + ULP_META_HEADER_SIZE + (size_t)i * ULP_META_FUNC_SIZE;
		field_put(e, 0, 4, strtab_add(m, so, &used, f->old_name));
		field_put(e, 4, 4, strtab_add(m, so, &used, f->new_name));
		field_put(e, 8, 8, f->old_off);
		field_put(e, 16, 8, f->old_size);
		field_put(e, 24, 8, f->new_off);
		field_put(e, 32, 8, f->new_size);
	}
	for (uint32_t i = 0; i < spec->nrefs; i++) {
		const struct container_ref *ref = &spec->refs[i];
		uint8_t *e = m + refs_off + (size_t)i * ULP_META_REF_SIZE;
		field_put(e, 0, 4, ref->kind);
		field_put(e, 4, 4, strtab_add(m, so, &used, ref->target_sym));
		field_put(e, 8, 4, strtab_add(m, so, &used, ref->patch_sym));
		field_put(e, 16, 8, ref->target_off);
		field_put(e, 24, 8, ref->patch_off);
	}
	for (uint32_t i = 0; i < spec->ncomments; i++)
		field_put(m, comments_off + 4 * i, 4, strtab_add(m, so, &used, spec->comments[i]));
	*ret_meta = m;
	*ret_len = (uint32_t)total;
	return 0;
}

/* The end of the bytes that program headers and segments use. */
static uint64_t segments_end(const struct elf_view *v)
{
	const uint8_t *f = v->file;
	uint64_t phoff = field_get(f, FIELD(Elf64_Ehdr, e_phoff));
	uint64_t phnum = field_get(f, FIELD(Elf64_Ehdr, e_phnum));
	if (phnum == PN_XNUM)
		phnum = shdr_get(v, 0, FIELD(Elf64_Shdr, sh_info));
	if (phnum == 0)
		return sizeof(Elf64_Ehdr);
	if (field_get(f, FIELD(Elf64_Ehdr, e_phentsize)) != sizeof(Elf64_Phdr) ||
	    !range_ok(phoff, phnum * sizeof(Elf64_Phdr), v->len))
		return UINT64_MAX;
	uint64_t end = phoff + phnum * sizeof(Elf64_Phdr);
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + i * sizeof(Elf64_Phdr);
		uint64_t off = field_get(ph, FIELD(Elf64_Phdr, p_offset));
		uint64_t filesz = field_get(ph, FIELD(Elf64_Phdr, p_filesz));
		if (off + filesz < off)
			return UINT64_MAX;
		if (off + filesz > end)
			end = off + filesz;
	}
	return end;
}

/*
 * keep_len() - how many leading bytes of the input the output keeps.
 *
 * A metadata section that a previous run appended lies past everything
 * else (segments, other sections), followed only by the section name table
 * and section headers that run wrote: cut the file where it starts so that
 * packing again does not grow the file.  Otherwise keep every byte.
 */
static uint64_t keep_len(const struct elf_view *v, uint32_t meta_i)
{
	if (meta_i == 0)
		return v->len;
	uint64_t cut = section_get(v, meta_i).offset;
	if (segments_end(v) > cut || v->shoff < cut)
		return v->len;
	for (uint32_t i = 1; i < v->shnum; i++) {
		struct section s = section_get(v, i);
		if (i == meta_i || i == v->shstrndx || s.type == SHT_NOBITS || s.size == 0)
			continue;
		if (s.offset + s.size > cut)
			return v->len;
	}
	return cut;
}

/* Point section @sh (a header in the new table) at @off/@size. */
static void shdr_place(uint8_t *sh, uint64_t off, uint64_t size)
{
	field_put(sh, FIELD(Elf64_Shdr, sh_offset), off);
	field_put(sh, FIELD(Elf64_Shdr, sh_size), size);
}

/* Fill the header of the metadata section, a plain non-loaded section. */
static void shdr_meta(uint8_t *sh, uint32_t name, uint64_t off, uint64_t size)
{
	memset(sh, 0, sizeof(Elf64_Shdr));
	field_put(sh, FIELD(Elf64_Shdr, sh_name), name);
	field_put(sh, FIELD(Elf64_Shdr, sh_type), SHT_PROGBITS);
	field_put(sh, FIELD(Elf64_Shdr, sh_addralign), 8);
	shdr_place(sh, off, size);
}

/*
 * Output layout: the kept input bytes, then what this run appends:
 *
 *   | input[0, keep) | pad | .ulp.meta | .shstrtab | pad | section headers |
 *
 * The new .shstrtab is the old one plus ".ulp.meta" when the input had no
 * such section, so every sh_name stays valid; the name table and the
 * metadata keep their section indices (no symbol or link changes), only
 * their offsets move.  Segments are untouched: the loaded image is the
 * same.
 */
struct layout {
	uint64_t keep;	    /* input bytes kept */
	uint32_t meta_i;    /* index of .ulp.meta; 0: append a header */
	uint32_t shnum;	    /* section count of the output */
	uint32_t meta_name; /* sh_name of .ulp.meta */
	/* Where the output has the metadata, name table and headers: */
	uint64_t meta_off;
	uint64_t strtab_off;
	uint64_t strtab_size;
	uint64_t shoff;
};

static int layout_plan(const struct elf_view *v, struct layout *ret_l)
{
	struct layout l = { .meta_i = 0 };
	int r = meta_find(v, &l.meta_i);
	if (r < 0 && r != -ULP_E_NOT_CONTAINER)
		return r;
	struct section strtab = section_get(v, v->shstrndx);
	if (strtab.size > UINT32_MAX / 2)
		return -ULP_E_MALFORMED; /* sh_name offsets are 32-bit */
	l.keep = keep_len(v, l.meta_i);
	l.shnum = v->shnum + (l.meta_i ? 0 : 1);
	l.strtab_size = strtab.size + (l.meta_i ? 0 : sizeof(ULP_META_SECTION));
	l.meta_name = (uint32_t)(l.meta_i ? section_get(v, l.meta_i).name : strtab.size);
	*ret_l = l;
	return 0;
}

/* Append the name table and the section headers; patch the ELF header. */
static int tables_append(const struct elf_view *v, struct layout *l, uint32_t meta_len, struct buf *out)
{
	struct section strtab = section_get(v, v->shstrndx);
	l->strtab_off = out->len;
	int r = buf_append(out, v->file + strtab.offset, strtab.size);
	if (r == 0 && !l->meta_i)
		r = buf_append(out, ULP_META_SECTION, sizeof(ULP_META_SECTION));
	if (r == 0)
		r = buf_pad(out, 8);
	if (r < 0)
		return r;
	l->shoff = out->len;
	r = buf_append(out, v->file + v->shoff, (size_t)v->shnum * sizeof(Elf64_Shdr));
	if (r == 0 && !l->meta_i)
		r = buf_append(out, (uint8_t[sizeof(Elf64_Shdr)]){ 0 }, sizeof(Elf64_Shdr));
	if (r < 0)
		return r;

	uint8_t *shdrs = out->data + l->shoff;
	uint32_t meta_i = l->meta_i ? l->meta_i : v->shnum;
	shdr_meta(shdrs + (size_t)meta_i * sizeof(Elf64_Shdr), l->meta_name, l->meta_off, meta_len);
	shdr_place(shdrs + (size_t)v->shstrndx * sizeof(Elf64_Shdr), l->strtab_off, l->strtab_size);
	field_put(out->data, FIELD(Elf64_Ehdr, e_shoff), l->shoff);
	/* ELF gABI extended numbering: a count that does not fit e_shnum
	 * goes into the sh_size of section header 0. */
	bool ext = l->shnum >= SHN_LORESERVE;
	field_put(out->data, FIELD(Elf64_Ehdr, e_shnum), ext ? 0 : l->shnum);
	if (ext)
		field_put(shdrs, FIELD(Elf64_Shdr, sh_size), l->shnum);
	return 0;
}

/* container_build() - the whole output file for @in and @spec. */
static int container_build(const uint8_t *in, size_t in_len, const struct container_spec *spec, struct buf *out)
{
	struct elf_view v;
	struct layout l;
	uint8_t *meta = NULL;
	uint32_t meta_len = 0;
	int r = elf_view_init(in, in_len, &v);
	if (r == -ULP_E_NOT_CONTAINER)
		r = -ULP_E_MALFORMED; /* a patch object must be ELF64 LSB with sections */
	if (r < 0)
		return r;
	r = layout_plan(&v, &l);
	if (r == 0)
		r = meta_build(spec, &meta, &meta_len);
	if (r == 0)
		r = buf_append(out, in, l.keep);
	if (r == 0)
		r = buf_pad(out, 8);
	if (r < 0)
		goto out;
	l.meta_off = out->len;
	r = buf_append(out, meta, meta_len);
	if (r == 0)
		r = tables_append(&v, &l, meta_len, out);
	if (r < 0)
		goto out;
	size_t pos = l.meta_off + ULP_META_DIGEST_OFF;
	digest_compute(out->data, out->len, pos, out->data + pos);
out:
	free(meta);
	return r;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sync the directory holding @path so that a rename into it is durable. */
static void dir_sync(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path ? slash - path : 1), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * file_replace() - make @path hold @data: write a temporary file next to
 * it, sync it and rename it over @path, so that a crash leaves either the
 * old file or the complete new one, never a mix.
 */
static int file_replace(const char *path, const uint8_t *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.ulp.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = fchmod(fd, mode) < 0 ? -errno : 0;
	if (r == 0)
		r = write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	dir_sync(path);
	return 0;
}

int container_write(const char *patch_so, const char *out, const struct container_spec *spec)
{
	struct buf b = BUF_INIT;
	struct container check = CONTAINER_INIT;
	uint8_t *in = NULL;
	size_t in_len = 0;
	mode_t mode = 0644;
	int r = spec_check(spec);
	if (r < 0)
		return r;
	r = file_load(patch_so, &in, &in_len, &mode);
	if (r < 0)
		goto out;
	r = container_build(in, in_len, spec, &b);
	if (r < 0)
		goto out;
	/* Never write what the controller and the runtime would refuse. */
	r = container_parse(b.data, b.len, &check);
	if (r < 0)
		goto out;
	r = file_replace(out, b.data, b.len, mode);
out:
	container_release(&check);
	buf_release(&b);
	free(in);
	return r;
}

bool container_target_matches(const char *target_name, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t n = strlen(target_name);
	return strncmp(base, target_name, n) == 0 && (base[n] == '\0' || base[n] == '.');
}

#define NOTE_ALIGN(x) (((x) + 3u) & ~(size_t)3u)

int container_notes_buildid(const uint8_t *notes, size_t len, const uint8_t **ret_id, uint32_t *ret_len)
{
	size_t off = 0;
	while (off + sizeof(Elf64_Nhdr) <= len) {
		Elf64_Nhdr n;
		memcpy(&n, notes + off, sizeof(n));
		size_t name = off + sizeof(n), desc = name + NOTE_ALIGN(n.n_namesz);
		if (desc > len || n.n_descsz > len - desc)
			break;
		if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && memcmp(notes + name, "GNU", 4) == 0) {
			*ret_id = notes + desc;
			*ret_len = n.n_descsz;
			return 0;
		}
		off = desc + NOTE_ALIGN(n.n_descsz);
	}
	return -ENOENT;
}
