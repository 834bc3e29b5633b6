/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container.h - the live patch container: reading, validating and writing
 * the metadata section the packer adds to a patch object.  The byte layout
 * is specified in docs/container.md; this is the only code that knows it.
 *
 * Shared by the packer, the controller and the runtime (libpulp.so), so it
 * uses no library beyond libc: it parses ELF with <elf.h> structures and
 * hashes with the in-tree SHA-256 (sha256.h).
 *
 * On-disk layout of section ULP_META_SECTION (all integers little-endian,
 * offsets relative to the start of the section):
 *
 *   0   magic "ULPMETA1"                      8 bytes
 *   8   u32 format version (ULP_META_VERSION)
 *   12  u32 header size (ULP_META_HEADER_SIZE)
 *   16  u32 flags (0)
 *   20  u32 n_funcs
 *   24  u32 n_refs
 *   28  u32 n_comments
 *   32  u32 strtab offset        36  u32 strtab size
 *   40  u32 target name (strtab offset)
 *   44  u32 build-id offset      48  u32 build-id length
 *   52  u32 funcs offset         56  u32 comments offset
 *   60  u32 total section size
 *   64  u8[32] digest: SHA-256 of the whole container file with these 32
 *       bytes set to zero
 *   96  u32 refs offset          100 u32 reserved (0)
 *   104 (end of header)
 *
 *   func entry, 40 bytes:  u32 old name, u32 new name (strtab offsets),
 *                          u64 old offset, u64 old size,
 *                          u64 new offset, u64 new size
 *   comment entry, 4 bytes: u32 text (strtab offset)
 *   ref entry, 32 bytes:   u32 kind (enum container_ref_kind),
 *                          u32 target symbol, u32 patch symbol (strtab
 *                          offsets), u32 reserved (0),
 *                          u64 target offset, u64 patch offset
 *
 * Offsets of functions are symbol values: relative to the load base of a
 * shared object (or absolute for a non-PIE executable, whose base is 0).
 * Every string is NUL-terminated inside the string table.
 */
#ifndef ULP_CONTAINER_H
#define ULP_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ULP_META_SECTION      ".ulp.meta"
#define ULP_META_MAGIC	      "ULPMETA1"
#define ULP_META_VERSION      2
#define ULP_META_HEADER_SIZE  104
#define ULP_META_FUNC_SIZE    40
#define ULP_META_COMMENT_SIZE 4
#define ULP_META_REF_SIZE     32
#define ULP_DIGEST_LEN	      32
#define ULP_META_DIGEST_OFF   64

struct container_func {
	const char *old_name;
	const char *new_name;
	uint64_t old_off;
	uint64_t old_size;
	uint64_t new_off;
	uint64_t new_size;
};

/*
 * What the runtime does with a reference when it loads the patch.  The
 * patch symbol is a variable of the patch object (kinds 1-3) or one of its
 * functions (hooks); the target symbol and offset name what it refers to.
 */
enum container_ref_kind {
	CONTAINER_REF_ADDR = 1,		/* u64 patch var = address of the target symbol */
	CONTAINER_REF_TLS = 2,		/* {u64 module, u64 offset} patch var: a tls_index */
	CONTAINER_REF_ORIGINAL = 3,	/* u64 patch var = body of a function this patch replaces */
	CONTAINER_REF_PRE_PATCH = 4,	/* int fn(void): before the patch goes in; nonzero refuses it */
	CONTAINER_REF_POST_PATCH = 5,	/* void fn(void): after it went in */
	CONTAINER_REF_PRE_UNPATCH = 6,	/* void fn(void): before it goes out */
	CONTAINER_REF_POST_UNPATCH = 7, /* void fn(void): after it went out, or its apply failed */
	CONTAINER_REF_KIND_MAX = 7,
};

/* Whether references of @kind are hooks (functions the runtime calls). */
static inline int container_ref_is_hook(uint32_t kind)
{
	return kind >= CONTAINER_REF_PRE_PATCH && kind <= CONTAINER_REF_POST_UNPATCH;
}

struct container_ref {
	uint32_t kind;		/* enum container_ref_kind */
	const char *target_sym; /* hooks: the hook's name ("pre_patch"...) */
	const char *patch_sym;
	uint64_t target_off; /* hooks: 0 */
	uint64_t patch_off;
};

/**
 * struct container - a parsed, validated container.  Strings point into
 * @meta, which the structure owns.  Starts as CONTAINER_INIT; release with
 * container_release(), which is safe on an initialised one.
 */
struct container {
	uint8_t *meta; /* copy of the metadata section */
	size_t meta_len;
	uint32_t version;
	const char *target_name;
	const uint8_t *buildid;
	uint32_t buildid_len;
	uint32_t nfuncs;
	struct container_func *funcs;
	uint32_t ncomments;
	const char **comments;
	uint32_t nrefs;
	struct container_ref *refs;
	uint8_t digest[ULP_DIGEST_LEN];
};

/* clang-format off */
#define CONTAINER_INIT {.meta = NULL}
/* clang-format on */

/**
 * container_read() - read and validate the container at @path: ELF headers,
 * the metadata section, every field's bounds, and the digest.
 * Return: 0, -errno, -ULP_E_NOT_ELF, -ULP_E_NOT_CONTAINER, -ULP_E_MALFORMED,
 * -ULP_E_VERSION or -ULP_E_DIGEST.
 */
int container_read(const char *path, struct container *ret_c);

/** container_parse() - the same for a file already in memory. */
int container_parse(const uint8_t *file, size_t len, struct container *ret_c);

void container_release(struct container *c);

/** struct container_spec - what the packer wants written. */
struct container_spec {
	const char *target_name;
	const uint8_t *buildid;
	uint32_t buildid_len;
	uint32_t nfuncs;
	const struct container_func *funcs;
	uint32_t ncomments;
	const char *const *comments;
	uint32_t nrefs;
	const struct container_ref *refs;
};

/**
 * container_write() - write @out: a copy of the ELF object @patch_so with
 * the metadata section described by @spec (replacing one a previous run
 * added), and the digest filled in.  Written to a temporary file in the
 * directory of @out, synced and renamed over @out, so @out is either the
 * old file or the complete new one; @out may be @patch_so.
 */
int container_write(const char *patch_so, const char *out, const struct container_spec *spec);

/**
 * container_target_matches() - whether a loaded file named @path may be the
 * target @target_name (a DT_SONAME or a file name): same file name, or
 * the soname followed by a version ("libz.so.1" for libz.so.1.2.13, which
 * /proc/PID/maps shows after the symlink is resolved).  Only names: the
 * build-id decides; this tells "another build" from "not loaded".
 */
bool container_target_matches(const char *target_name, const char *path);

/**
 * container_notes_buildid() - the GNU build-id among the ELF notes in
 * @notes (the bytes of a PT_NOTE segment, as mapped or as in the file).
 * The runtime and the controller both read it from target memory, the way
 * a loaded object carries it.  Return: 0 with @ret_id pointing into
 * @notes, or -ENOENT.
 */
int container_notes_buildid(const uint8_t *notes, size_t len, const uint8_t **ret_id, uint32_t *ret_len);

/** hex_encode() - @len bytes as 2 * @len lowercase hex digits + NUL in @out. */
void hex_encode(const uint8_t *p, size_t len, char *out);

/** container_id_hex() - the patch id (digest) as 64 hex digits + NUL. */
void container_id_hex(const uint8_t digest[ULP_DIGEST_LEN], char out[2 * ULP_DIGEST_LEN + 1]);

#endif
