/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * targetsyms.h - the target's symbols as the packer searches them, from
 * one of two sources:
 *
 *   - the object itself, with its full symbol table, or the one of its
 *     separate debug file (by build-id or .gnu_debuglink), merged with
 *     .dynsym for versions;
 *   - a JSON file written by 'ulp extract', on a machine without the object.
 *
 * A name is looked up as NAME, NAME@VERSION, NAME@@VERSION (the default
 * version) or NAME[FILE] (a static defined in source file FILE).  Aliases
 * at one address are one symbol; several symbols at different addresses
 * are an ambiguity the caller reports with the candidates.
 */
#ifndef ULP_PACKER_TARGETSYMS_H
#define ULP_PACKER_TARGETSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packer/diag.h"
#include "packer/symbols.h"

struct tsym {
	char *name;    /* without any @VERSION */
	char *version; /* or NULL */
	bool default_version;
	char *file;	/* a local's source file, or NULL */
	uint64_t value; /* offset from the load base (of a shared object) */
	uint64_t size;
	unsigned char type, bind; /* STT_*, STB_* */
	signed char entry;	  /* JSON: enum arch_entry_state of a function, -1 unknown */
};

/**
 * struct target_syms - the index.  Starts as TARGET_SYMS_INIT;
 * target_syms_release() is safe on it.
 */
struct target_syms {
	char *name; /* DT_SONAME or file name */
	uint8_t *buildid;
	size_t buildid_len;
	struct tsym *s;
	size_t n;
	bool statics;	       /* a full symbol table was read */
	char *debug_path;      /* the debug file it came from, or NULL */
	bool json;	       /* read from an 'ulp extract' file */
	struct elf_file *code; /* the object (not owned), NULL for JSON */
	struct elf_file dbg;   /* its separate debug file, if one was used */
};

/* clang-format off */
#define TARGET_SYMS_INIT {.name = NULL, .dbg = ELF_FILE_INIT}
/* clang-format on */

/**
 * target_syms_from_elf() - index the object @f, opened from @path; its
 * statics from its own .symtab, else from its debug file.
 * Return: 0 or -ENOMEM.
 */
int target_syms_from_elf(struct elf_file *f, const char *path, struct target_syms *ret_t);

/**
 * target_syms_from_json() - index the 'ulp extract' document @path.
 * Return: 0, or a negative code with @err set to what is wrong with it.
 */
int target_syms_from_json(const char *path, struct target_syms *ret_t, struct diag *err);

void target_syms_release(struct target_syms *t);

/* STT_* types a lookup accepts, as a bit mask. */
#define TSYM_TYPE(t) (1u << (t))

/* Every type a name of the description may be looked up among. */
#define TSYM_ANY                                                                                       \
	(TSYM_TYPE(STT_FUNC) | TSYM_TYPE(STT_GNU_IFUNC) | TSYM_TYPE(STT_OBJECT) | TSYM_TYPE(STT_TLS) | \
	 TSYM_TYPE(STT_COMMON))

/**
 * target_syms_find() - the symbol @spec names among those whose type is in
 * @types and, if @at is not NULL, whose value is *@at.  On -ENOTUNIQ,
 * @cands (of @cap bytes) lists the candidates as names that pick each one
 * ("helper[a.c] at 0x1130, helper[b.c] at 0x1150").
 * Return: 0; -ULP_E_SYMBOL when none matches; -ENOTUNIQ.
 */
int target_syms_find(const struct target_syms *t, const char *spec, unsigned types, const uint64_t *at,
		     const struct tsym **ret_sym, char *cands, size_t cap);

/**
 * target_syms_entry() - what the entry of function @s holds: read from
 * the object, or as the JSON says.  Return: 0, -errno, or -ENODATA when a
 * JSON file does not say.
 */
int target_syms_entry(const struct target_syms *t, const struct tsym *s, struct arch_site *ret_site);

/** target_syms_at() - the function whose code starts at @value, or NULL. */
const struct tsym *target_syms_at(const struct target_syms *t, uint64_t value);

#endif
