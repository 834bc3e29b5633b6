/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-container.c - libFuzzer target for the container reader
 * (packer/container.c): container_parse() on arbitrary bytes, then every
 * accessor of container.h on what it accepted.
 *
 * Each input is parsed twice:
 *
 *   1. as it is: ELF checks, section lookup, header, and the digest, which
 *      a random mutation almost always breaks;
 *   2. with the digest recomputed, when this file can find a .ulp.meta
 *      section by itself: the digest is a checksum, not a signature, so a
 *      hostile file carries a correct one, and only this pass reaches the
 *      field checks behind it.
 *
 * Besides what ASan and UBSan catch, a breach of container.h's contract
 * aborts: a return code outside the documented list, an accepted
 * container whose strings or build-id lie outside its own copy of the
 * metadata, a function without a name, a reference of an unknown kind.
 * container_notes_buildid() gets the same bytes as a PT_NOTE segment.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "packer/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the reader: stop here so libFuzzer keeps the input. */
#define require(cond)                                                                      \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: broken: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* Whether the NUL-terminated string @s lies inside @c's metadata copy. */
static bool in_meta(const struct container *c, const char *s)
{
	const char *lo = (const char *)c->meta, *hi = lo + c->meta_len;
	return s && s >= lo && s < hi && memchr(s, '\0', (size_t)(hi - s));
}

static void walk_funcs(const struct container *c)
{
	require(c->nfuncs >= 1 && c->funcs);
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		const struct container_func *f = &c->funcs[i];
		require(in_meta(c, f->old_name) && *f->old_name);
		require(in_meta(c, f->new_name) && *f->new_name);
		require(f->old_size > 0 && f->old_off + f->old_size > f->old_off);
		require(f->new_off + f->new_size >= f->new_off);
	}
}

static void walk_refs(const struct container *c)
{
	require(c->nrefs == 0 || c->refs);
	for (uint32_t i = 0; i < c->nrefs; i++) {
		const struct container_ref *ref = &c->refs[i];
		require(ref->kind >= 1 && ref->kind <= CONTAINER_REF_KIND_MAX);
		require(in_meta(c, ref->target_sym) && *ref->target_sym);
		require(in_meta(c, ref->patch_sym) && *ref->patch_sym);
		if (container_ref_is_hook(ref->kind))
			require(ref->target_off == 0);
	}
}

/* What a caller does with an accepted container: `ulp dump`, the runtime
 * naming its target, the patch id. */
static void walk(const struct container *c)
{
	require(c->meta && c->meta_len >= ULP_META_HEADER_SIZE);
	require(c->version == ULP_META_VERSION);
	require(in_meta(c, c->target_name) && *c->target_name);
	require(c->buildid_len >= 1 && c->buildid >= c->meta &&
		c->buildid_len <= c->meta_len - (size_t)(c->buildid - c->meta));
	walk_funcs(c);
	walk_refs(c);
	require(c->ncomments == 0 || c->comments);
	for (uint32_t i = 0; i < c->ncomments; i++)
		require(in_meta(c, c->comments[i]));

	char *hex = malloc(2 * (size_t)c->buildid_len + 1);
	require(hex);
	hex_encode(c->buildid, c->buildid_len, hex);
	require(strlen(hex) == 2 * (size_t)c->buildid_len);
	free(hex);
	char id[2 * ULP_DIGEST_LEN + 1];
	container_id_hex(c->digest, id);
	require(strlen(id) == 2 * ULP_DIGEST_LEN);
	(void)container_target_matches(c->target_name, "/usr/lib/libfuzz.so.1.2");
	(void)container_target_matches(c->target_name, c->target_name);
}

static int parse(const uint8_t *file, size_t len)
{
	struct container c = CONTAINER_INIT;
	int r = container_parse(file, len, &c);
	require(r == 0 || r == -ULP_E_NOT_ELF || r == -ULP_E_NOT_CONTAINER || r == -ULP_E_MALFORMED ||
		r == -ULP_E_VERSION || r == -ULP_E_DIGEST || r == -ENOMEM);
	if (r == 0)
		walk(&c);
	else
		require(c.meta == NULL); /* a refusal leaves the output alone */
	container_release(&c);
	container_release(&c);
	return r;
}

/*
 * The offset of the first section named ULP_META_SECTION long enough to
 * hold a digest, found without container.c (bounds checked here, so that
 * a bug of the reader is not copied); 0 when there is none.
 */
static size_t meta_offset(const uint8_t *f, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Shdr names, sh;
	if (len < sizeof(eh))
		return 0;
	memcpy(&eh, f, sizeof(eh));
	if (eh.e_shoff > len || eh.e_shnum > (len - eh.e_shoff) / sizeof(sh) || eh.e_shstrndx >= eh.e_shnum)
		return 0;
	memcpy(&names, f + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof(sh), sizeof(sh));
	if (names.sh_offset > len || names.sh_size > len - names.sh_offset)
		return 0;
	for (size_t i = 1; i < eh.e_shnum; i++) {
		memcpy(&sh, f + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_name >= names.sh_size || names.sh_size - sh.sh_name < sizeof(ULP_META_SECTION) ||
		    memcmp(f + names.sh_offset + sh.sh_name, ULP_META_SECTION, sizeof(ULP_META_SECTION)) != 0)
			continue;
		if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset ||
		    sh.sh_size < ULP_META_DIGEST_OFF + ULP_DIGEST_LEN)
			continue;
		return sh.sh_offset;
	}
	return 0;
}

static void notes(const uint8_t *data, size_t size)
{
	const uint8_t *id = NULL;
	uint32_t id_len = 0;
	if (container_notes_buildid(data, size, &id, &id_len) == 0)
		require(id >= data && id <= data + size && id_len <= size - (size_t)(id - data));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int r = parse(data, size);
	size_t meta = meta_offset(data, size);
	if (meta && r != 0) {
		uint8_t *fixed = malloc(size);
		require(fixed);
		memcpy(fixed, data, size);
		memset(fixed + meta + ULP_META_DIGEST_OFF, 0, ULP_DIGEST_LEN);
		sha256_digest(fixed, size, fixed + meta + ULP_META_DIGEST_OFF);
		parse(fixed, size);
		free(fixed);
	}
	notes(data, size);
	return 0;
}
