/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inline.h - where the compiler copied a function into its callers: the
 * DW_TAG_inlined_subroutine entries of an object's DWARF whose abstract
 * origin is a function the packer is asked to replace.  Redirecting the
 * entry of such a function does not fix its inlined copies; the packer
 * refuses unless each caller is patched too or acknowledged.
 */
#ifndef ULP_PACKER_INLINE_H
#define ULP_PACKER_INLINE_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct inline_use - one inlined copy of a function.
 * @function:    the name asked about (points into the caller's @names).
 * @caller:      the out-of-line function whose code holds the copy: the
 *               innermost enclosing DW_TAG_subprogram that has code (low_pc
 *               or ranges), so for a copy inlined into another inlined
 *               copy, the function those copies were inlined into.  Its
 *               DWARF name, through DW_AT_abstract_origin for a concrete
 *               out-of-line instance, so "foo" for a symbol "foo.isra.0"
 *               and "inner" for a GNU C nested function "inner.0".
 * @caller_addr: that function's entry (DW_AT_low_pc, or the start of the
 *               first range: GCC lists the hot part before "foo.cold", which
 *               usually lies lower), as an offset like a symbol value; 0 if
 *               the DWARF cannot be decoded.
 * @file:        DW_AT_call_file of the copy as the unit's line table names
 *               it, joined with its directory (absolute for GCC), or NULL.
 * @line:        DW_AT_call_line of the copy, or 0.
 */
struct inline_use {
	const char *function;
	char *caller;
	uint64_t caller_addr;
	char *file;
	unsigned line;
};

/**
 * inline_scan() - every inlined copy, in the DWARF of @elf, of a function
 * whose name is one of the @n @names.  Several copies in one caller are
 * reported once per copy, in DWARF order; copies inside a function that is
 * itself in @names count too.  Copies that have no code in @elf are left
 * out: those in abstract instances, and those in functions the linker
 * removed (--gc-sections).  Out-of-line clones ("foo.isra.0") are not
 * inlined copies and are not reported.
 * @elf: a linked object (ET_EXEC or ET_DYN) that holds its own DWARF; the
 *       result does not refer to it (the caller still ends it).
 *
 * Return: 0 with *@ret_uses (free with inline_uses_free()) and *@ret_n set
 * (outputs untouched on failure); -ENODATA when @elf has no DWARF (no
 * .debug_info, as in a stripped object, or a -gsplit-dwarf skeleton whose
 * .dwo libdw cannot find); -EBADMSG when the DWARF is malformed; -EINVAL,
 * -ENOMEM.
 */
int inline_scan(Elf *elf, const char *const *names, size_t n, struct inline_use **ret_uses, size_t *ret_n);

void inline_uses_free(struct inline_use *uses, size_t n);

#endif
