/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inline.c - finding inlined copies of functions in DWARF (libdw).
 * See inline.h.
 *
 * One pass over every DIE of every unit, depth first with an explicit stack
 * (DIE trees from real compilers are shallow, but crafted ones need not be).
 * Each stack level remembers which enclosing level is the function that has
 * code, so an inlined copy found anywhere below knows its caller without
 * walking back up.  Names are compared only at DW_TAG_inlined_subroutine
 * DIEs that have such a caller: the bulk of the DIEs (types, parameters,
 * call sites) costs one tag lookup each.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packer/inline.h"

/* stack level without an enclosing function that has code */
#define NO_CALLER SIZE_MAX

struct level {
	Dwarf_Die die;
	size_t caller;	  /* stack index of the function holding this DIE's code */
	Dwarf_Addr entry; /* if this level is such a function: its entry, or 0 */
};

struct scan {
	const char *const *names;
	size_t nnames;
	struct inline_use *uses;
	size_t nuses, cap;
	struct level *stack;
	size_t depth_cap;
	/* the unit being walked, and its file table once looked up */
	Dwarf_Die unit;
	Dwarf_Half version;
	Dwarf_Files *files;
	size_t nfiles;
	bool files_tried;
};

#define SCAN_INIT \
	{         \
		0 \
	}

static void scan_release(struct scan *s)
{
	inline_uses_free(s->uses, s->nuses);
	free(s->stack);
	*s = (struct scan)SCAN_INIT;
}

/* Whether @elf has a .debug_info with contents (libdw also reads .zdebug_info). */
static bool elf_has_debug_info(Elf *elf)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return false;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr shdr;
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS)
			continue;
		const char *name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && (strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0))
			return true;
	}
	return false;
}

/*
 * Entry of a subprogram DIE that has code: low_pc, else the start of the
 * first range.  Not the lowest: GCC lists the hot part first and the
 * "foo.cold" part after it, and the default link puts .text.unlikely
 * before .text, so the cold part usually lies lower.
 */
static int subprogram_entry(Dwarf_Die *die, Dwarf_Addr *ret_entry)
{
	Dwarf_Addr base, end;
	if (dwarf_entrypc(die, ret_entry) == 0)
		return 0;
	ptrdiff_t r = dwarf_ranges(die, 0, &base, ret_entry, &end);
	if (r == 0)
		*ret_entry = 0; /* no range left: all of it was discarded */
	return r < 0 ? -1 : 0;
}

/*
 * Whether the function at @entry was removed at link time (--gc-sections,
 * COMDAT): its DIE stays, with the address resolved to a placeholder.  bfd
 * ld writes 0 (1 in .debug_ranges, where 0 would end the list), lld -1
 * (-2 in .debug_ranges/.debug_loc).  No code of a linked object lives at
 * those addresses; an ET_REL is not supported anyway (libdw does not apply
 * its relocations, so its names and addresses are not meaningful).
 */
static bool entry_discarded(Dwarf_Addr entry)
{
	return entry <= 1 || entry >= (Dwarf_Addr)-2;
}

/*
 * Set the caller of stack level @depth if it is a function with code of
 * its own: a subprogram with low_pc or ranges, be it a plain definition or
 * a concrete out-of-line instance (only DW_AT_abstract_origin).  The
 * innermost one wins: a GNU C nested function has its own code, apart from
 * the function it is nested in.  Subprograms without code (declarations,
 * abstract instances) leave the caller inherited from the parent.
 */
static void subprogram_visit(struct scan *s, size_t depth)
{
	struct level *l = &s->stack[depth];
	if (!dwarf_hasattr(&l->die, DW_AT_low_pc) && !dwarf_hasattr(&l->die, DW_AT_ranges))
		return;
	Dwarf_Addr entry = 0;
	/* Undecodable: reported with caller_addr 0 ("unknown"), not dropped. */
	if (subprogram_entry(&l->die, &entry) == 0 && entry_discarded(entry)) {
		/* Copies in removed code do not exist in the object. */
		l->caller = NO_CALLER;
		return;
	}
	l->caller = depth;
	l->entry = entry;
}

/* The pointer in @names that the origin of inlined copy @die is named by, or NULL. */
static const char *name_match(struct scan *s, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	/* Follows DW_AT_abstract_origin, then DW_AT_specification, across units. */
	const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	if (!name)
		return NULL;
	for (size_t i = 0; i < s->nnames; i++)
		if (strcmp(name, s->names[i]) == 0)
			return s->names[i];
	return NULL;
}

/* Name of the function @die (through its origin or specification) for a report. */
static char *caller_name(Dwarf_Die *die, Dwarf_Addr entry)
{
	Dwarf_Attribute attr;
	const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (name)
		return strdup(name);
	char *anon;
	return asprintf(&anon, "<function at %#" PRIx64 ">", (uint64_t)entry) < 0 ? NULL : anon;
}

/*
 * DW_AT_call_file of @copy through the unit's file table, as libdw
 * composes it (joined with its directory: absolute for GCC output); NULL
 * in *@ret_file when absent or unresolvable.  Index 0 means "no file"
 * before DWARF 5 and the primary source file from DWARF 5 on.
 */
static int call_file(struct scan *s, Dwarf_Die *copy, char **ret_file)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx;
	*ret_file = NULL;
	if (dwarf_formudata(dwarf_attr(copy, DW_AT_call_file, &attr), &idx) != 0 || (idx == 0 && s->version < 5))
		return 0;
	if (!s->files_tried) {
		s->files_tried = true;
		if (dwarf_getsrcfiles(&s->unit, &s->files, &s->nfiles) != 0)
			s->files = NULL;
	}
	const char *file = s->files && idx < s->nfiles ? dwarf_filesrc(s->files, idx, NULL, NULL) : NULL;
	if (file && !(*ret_file = strdup(file)))
		return -ENOMEM;
	return 0;
}

/* Append the copy @die of @function, whose code is in the function at @caller. */
static int use_add(struct scan *s, const char *function, Dwarf_Die *die, struct level *caller)
{
	Dwarf_Attribute attr;
	Dwarf_Word line;
	if (s->nuses == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct inline_use *uses = reallocarray(s->uses, cap, sizeof(*uses));
		if (!uses)
			return -ENOMEM;
		s->uses = uses;
		s->cap = cap;
	}
	struct inline_use *u = &s->uses[s->nuses];
	*u = (struct inline_use){ .function = function, .caller_addr = caller->entry };
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &line) == 0 && line <= UINT_MAX)
		u->line = (unsigned)line;
	u->caller = caller_name(&caller->die, caller->entry);
	int r = u->caller ? call_file(s, die, &u->file) : -ENOMEM;
	/* Counted even on failure, so that scan_release() frees what was set. */
	s->nuses++;
	return r;
}

static int die_visit(struct scan *s, size_t depth)
{
	struct level *l = &s->stack[depth];
	switch (dwarf_tag(&l->die)) {
	case DW_TAG_subprogram:
		subprogram_visit(s, depth);
		return 0;
	case DW_TAG_inlined_subroutine: {
		/* A copy with no function of its own around it has no code. */
		if (l->caller == NO_CALLER)
			return 0;
		const char *function = name_match(s, &l->die);
		return function ? use_add(s, function, &l->die, &s->stack[l->caller]) : 0;
	}
	default:
		return 0;
	}
}

static int stack_reserve(struct scan *s, size_t n)
{
	if (n <= s->depth_cap)
		return 0;
	size_t cap = s->depth_cap ? 2 * s->depth_cap : 64;
	while (cap < n)
		cap *= 2;
	struct level *stack = reallocarray(s->stack, cap, sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	s->stack = stack;
	s->depth_cap = cap;
	return 0;
}

/*
 * Visit every DIE below s->unit, parents before children, in DWARF order.
 * s->stack[depth] is the DIE being visited, s->stack[0] the unit.
 */
static int unit_walk(struct scan *s)
{
	int r = stack_reserve(s, 2);
	if (r < 0)
		return r;
	s->stack[0] = (struct level){ .die = s->unit, .caller = NO_CALLER };
	size_t depth = 1;
	r = dwarf_child(&s->stack[0].die, &s->stack[1].die);
	if (r != 0)
		return r < 0 ? -EBADMSG : 0;
	for (;;) {
		s->stack[depth].caller = s->stack[depth - 1].caller;
		r = die_visit(s, depth);
		if (r >= 0)
			r = stack_reserve(s, depth + 2);
		if (r < 0)
			return r;
		r = dwarf_child(&s->stack[depth].die, &s->stack[depth + 1].die);
		if (r == 0) {
			depth++;
			continue;
		}
		/* No child: the next sibling, of this DIE or of an ancestor. */
		while (r == 1) {
			r = dwarf_siblingof(&s->stack[depth].die, &s->stack[depth].die);
			if (r == 1 && --depth == 0)
				return 0;
		}
		if (r < 0)
			return -EBADMSG;
	}
}

/*
 * Walk every unit of @dw.  A skeleton unit (-gsplit-dwarf) holds no code
 * DIEs: its split unit in the .dwo does, and when libdw cannot find that
 * the copies cannot be known, so the DWARF counts as missing.
 */
static int units_walk(Dwarf *dw, struct scan *s)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, subdie;
	uint8_t type;
	int r;
	while ((r = dwarf_get_units(dw, cu, &cu, &s->version, &type, &cudie, &subdie)) == 0) {
		if (type == DW_UT_skeleton && dwarf_tag(&subdie) != DW_TAG_compile_unit)
			return -ENODATA;
		s->unit = type == DW_UT_skeleton ? subdie : cudie;
		s->files = NULL;
		s->nfiles = 0;
		s->files_tried = false;
		if (dwarf_tag(&s->unit) == DW_TAG_invalid)
			continue;
		r = unit_walk(s);
		if (r < 0)
			return r;
	}
	return r < 0 ? -EBADMSG : 0;
}

int inline_scan(Elf *elf, const char *const *names, size_t n, struct inline_use **ret_uses, size_t *ret_n)
{
	struct scan s = SCAN_INIT;
	Dwarf *dw = NULL;
	int r = -EINVAL;
	if (!elf || (n > 0 && !names))
		goto out;
	r = -ENODATA;
	if (!elf_has_debug_info(elf))
		goto out;
	/* .debug_info exists, so a failure here is bad DWARF, not missing DWARF. */
	r = -EBADMSG;
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw)
		goto out;
	s.names = names;
	s.nnames = n;
	r = n > 0 ? units_walk(dw, &s) : 0;
	if (r < 0)
		goto out;
	*ret_uses = s.uses;
	*ret_n = s.nuses;
	s.uses = NULL;
	s.nuses = 0;
out:
	if (dw)
		dwarf_end(dw);
	scan_release(&s);
	return r;
}

void inline_uses_free(struct inline_use *uses, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(uses[i].caller);
		free(uses[i].file);
	}
	free(uses);
}
