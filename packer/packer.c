/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packer.c - the pack recipe: description -> overrides -> patch object ->
 * target -> every function pair -> container.  Each step checks what it
 * can and reports the description line at fault.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "packer/description.h"
#include "packer/inline.h"
#include "packer/packer.h"
#include "packer/symbols.h"
#include "packer/targetsyms.h"

/* Functions of the patch object the runtime calls around a switch. */
static const struct {
	uint32_t kind;
	const char *hook;
	const char *symbol;
} hooks[] = {
	{ CONTAINER_REF_PRE_PATCH, "pre_patch", "ulp_pre_patch" },
	{ CONTAINER_REF_POST_PATCH, "post_patch", "ulp_post_patch" },
	{ CONTAINER_REF_PRE_UNPATCH, "pre_unpatch", "ulp_pre_unpatch" },
	{ CONTAINER_REF_POST_UNPATCH, "post_unpatch", "ulp_post_unpatch" },
};

struct pack {
	const struct packer_options *opt;
	struct diag *err;
	struct description d;
	const char *patch_path;
	const char *target_path;
	char patch_at[512]; /* "FILE:LINE" or "FILE" (with -l) */
	char target_at[512];
	const char *patch_via; /* "" or " (given with -l)" */
	const char *target_via;
	const char *patch_fix; /* how to give another path */
	const char *target_fix;
	struct elf_file patch;
	struct elf_file target;
	struct target_syms tsyms; /* the target's symbols */
	struct target_syms psyms; /* the patch object's */
	struct container_func *funcs;
	struct container_ref *refs;
	uint32_t nrefs;
	bool *allow_used; /* per --allow-inlined name */
};

/* clang-format off */
#define PACK_INIT {.d = DESCRIPTION_INIT, .patch = ELF_FILE_INIT, .target = ELF_FILE_INIT, \
		   .tsyms = TARGET_SYMS_INIT, .psyms = TARGET_SYMS_INIT}
/* clang-format on */

static void pack_release(struct pack *p)
{
	description_release(&p->d);
	target_syms_release(&p->tsyms);
	target_syms_release(&p->psyms);
	elf_file_release(&p->patch);
	elf_file_release(&p->target);
	free(p->funcs);
	free(p->refs);
	free(p->allow_used);
}

__attribute__((format(printf, 2, 3))) static void pack_warn(struct pack *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->opt->warn)
		p->opt->warn(msg);
}

/* Apply -l and -t; note where each path came from, for messages. */
static int pack_overrides(struct pack *p)
{
	const struct description *d = &p->d;
	p->patch_path = p->opt->patch ? p->opt->patch : d->patch_path;
	p->target_path = p->opt->target ? p->opt->target : d->target_path;
	if (!p->target_path)
		return diag_set(p->err, -ULP_E_DESCRIPTION,
				"%s:%u: no target; add a line '@/path/to/target.so' or pass -t TARGET", d->file,
				d->nlines);
	snprintf(p->patch_at, sizeof(p->patch_at), p->opt->patch ? "%s" : "%s:%u", d->file, d->patch_line);
	snprintf(p->target_at, sizeof(p->target_at), p->opt->target ? "%s" : "%s:%u", d->file, d->target_line);
	p->patch_via = p->opt->patch ? " (given with -l)" : "";
	p->target_via = p->opt->target ? " (given with -t)" : "";
	p->patch_fix = p->opt->patch ? "check the -l argument" : "fix the first line or pass -l PATCH.so";
	p->target_fix = p->opt->target ? "check the -t argument" : "fix the '@' line or pass -t TARGET";
	return 0;
}

static bool elf_is_64lsb(const struct elf_file *f)
{
	return f->ehdr.e_ident[EI_CLASS] == ELFCLASS64 && f->ehdr.e_ident[EI_DATA] == ELFDATA2LSB;
}

static int pack_open_patch(struct pack *p)
{
	int r = elf_file_open(p->patch_path, &p->patch);
	if (r == -ULP_E_NOT_ELF)
		return diag_set(p->err, r,
				"%s: patch object '%s'%s is not an ELF file; "
				"give the shared object built from the patch source",
				p->patch_at, p->patch_path, p->patch_via);
	if (r < 0)
		return diag_set(p->err, r, "%s: cannot open patch object '%s'%s: %s; %s", p->patch_at, p->patch_path,
				p->patch_via, strerror(-r), p->patch_fix);
	if (p->patch.ehdr.e_type != ET_DYN || !elf_is_64lsb(&p->patch))
		return diag_set(p->err, -ULP_E_DESCRIPTION,
				"%s: patch object '%s'%s is not a 64-bit shared object; build it with -shared -fPIC",
				p->patch_at, p->patch_path, p->patch_via);
	r = target_syms_from_elf(&p->patch, p->patch_path, &p->psyms);
	return r < 0 ? diag_set(p->err, r, "out of memory") : 0;
}

/* A JSON file from 'ulp extract' starts with '{'. */
static bool looks_like_json(const char *path)
{
	int c = EOF;
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	while ((c = fgetc(f)) != EOF && isspace(c))
		;
	fclose(f);
	return c == '{';
}

static int pack_open_target(struct pack *p)
{
	int r = elf_file_open(p->target_path, &p->target);
	if (r == -ULP_E_NOT_ELF && looks_like_json(p->target_path)) {
		struct diag why = DIAG_INIT;
		r = target_syms_from_json(p->target_path, &p->tsyms, &why);
		return r < 0 ? diag_set(p->err, r, "%s: %s", p->target_at, why.msg) : 0;
	}
	if (r == -ULP_E_NOT_ELF)
		return diag_set(p->err, r,
				"%s: target '%s'%s is not an ELF file; give the library or executable to patch "
				"(or a JSON file from 'ulp extract')",
				p->target_at, p->target_path, p->target_via);
	if (r < 0)
		return diag_set(p->err, r, "%s: cannot open target '%s'%s: %s; %s", p->target_at, p->target_path,
				p->target_via, strerror(-r), p->target_fix);
	if (p->target.ehdr.e_type != ET_DYN && p->target.ehdr.e_type != ET_EXEC)
		return diag_set(p->err, -ULP_E_DESCRIPTION,
				"%s: target '%s'%s is not a shared library or an executable", p->target_at,
				p->target_path, p->target_via);
	if (p->target.ehdr.e_machine != p->patch.ehdr.e_machine || !elf_is_64lsb(&p->target))
		return diag_set(p->err, -ULP_E_DESCRIPTION,
				"%s: target '%s'%s and patch object '%s' are built for different machines; "
				"build the patch for the target's architecture",
				p->target_at, p->target_path, p->target_via, p->patch_path);
	r = target_syms_from_elf(&p->target, p->target_path, &p->tsyms);
	return r < 0 ? diag_set(p->err, r, "out of memory") : 0;
}

static int pack_target_identity(struct pack *p)
{
	if (!p->tsyms.buildid_len)
		return diag_set(p->err, -ULP_E_BUILDID,
				"%s: target '%s'%s has no build-id; link it with -Wl,--build-id", p->target_at,
				p->target_path, p->target_via);
	return 0;
}

/* What to tell the author when a name of the target is not found. */
static const char *statics_hint(const struct pack *p)
{
	if (p->tsyms.json)
		return p->tsyms.statics ? "" : " (the JSON lists exported symbols only: extract it with -d DEBUGINFO)";
	return p->tsyms.statics ? ""
				: " (static symbols need the target's symbol table: do not strip it, or install its "
				  "debug file)";
}

/* Find the function @pair replaces and check that it can be patched. */
static int pair_resolve_old(struct pack *p, const struct dsc_pair *pair, struct container_func *cf)
{
	const char *file = p->d.file, *name = pair->old_name, *tgt = p->target_path;
	const struct tsym *fn = NULL;
	struct arch_site site;
	char cands[768];
	int r = target_syms_find(&p->tsyms, name, TSYM_TYPE(STT_FUNC), NULL, &fn, cands, sizeof(cands));
	if (r == -ULP_E_SYMBOL) /* to say what it is instead */
		r = target_syms_find(&p->tsyms, name, TSYM_ANY, NULL, &fn, cands, sizeof(cands));
	if (r == -ULP_E_SYMBOL)
		return diag_set(p->err, r, "%s:%u: target '%s' has no function '%s'; check the name%s", file,
				pair->line, tgt, name, statics_hint(p));
	if (r == -ENOTUNIQ)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: target '%s' has several functions named '%s': %s; "
				"write the name that picks one",
				file, pair->line, tgt, name, cands);
	if (fn->type != STT_FUNC)
		return diag_set(
			p->err, -ULP_E_SYMBOL, "%s:%u: '%s' in target '%s' is not a function%s", file, pair->line, name,
			tgt,
			fn->type == STT_GNU_IFUNC ? " but an ifunc resolver; patch the implementation it selects" : "");
	if (fn->size == 0)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: function '%s' in target '%s' has no size in the symbol table; "
				"give it one ('.size' in assembly)",
				file, pair->line, name, tgt);
	r = target_syms_entry(&p->tsyms, fn, &site);
	if (r < 0 && r != -ENODATA)
		return diag_set(p->err, r, "cannot read target '%s': %s", tgt, strerror(-r));
	if (r == -ENODATA)
		return diag_set(p->err, -ULP_E_NOT_PATCHABLE,
				"%s:%u: '%s' does not say whether function '%s' has a patchable entry; "
				"write it again with this version's 'ulp extract'",
				file, pair->line, tgt, name);
	if (site.state != ARCH_ENTRY_UNPATCHED)
		return diag_set(p->err, -ULP_E_NOT_PATCHABLE,
				"%s:%u: function '%s' in target '%s' has no patchable entry; "
				"build the target with -fpatchable-function-entry=16,14",
				file, pair->line, name, tgt);
	cf->old_name = name;
	cf->old_off = fn->value;
	cf->old_size = fn->size;
	return 0;
}

/* Find the replacement function in the patch object. */
static int pair_resolve_new(struct pack *p, const struct dsc_pair *pair, struct container_func *cf)
{
	const struct tsym *fn = NULL;
	char cands[512];
	int r = target_syms_find(&p->psyms, pair->new_name, TSYM_TYPE(STT_FUNC), NULL, &fn, cands, sizeof(cands));
	if (r == -ENOTUNIQ)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: patch object '%s' has several functions named '%s': %s; rename one of them",
				p->d.file, pair->line, p->patch_path, pair->new_name, cands);
	if (r < 0)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: patch object '%s' has no function '%s'; define it in the patch "
				"(and do not strip the patch)",
				p->d.file, pair->line, p->patch_path, pair->new_name);
	cf->new_name = pair->new_name;
	cf->new_off = fn->value;
	cf->new_size = fn->size;
	return 0;
}

static int pack_resolve_pairs(struct pack *p)
{
	p->funcs = calloc(p->d.npairs, sizeof(*p->funcs));
	if (!p->funcs)
		return diag_set(p->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < p->d.npairs; i++) {
		int r = pair_resolve_old(p, &p->d.pairs[i], &p->funcs[i]);
		if (r == 0)
			r = pair_resolve_new(p, &p->d.pairs[i], &p->funcs[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The pair that replaces the function at @off, or NULL. */
static const struct container_func *pack_replaced_at(const struct pack *p, uint64_t off)
{
	for (size_t i = 0; i < p->d.npairs; i++)
		if (p->funcs[i].old_off == off)
			return &p->funcs[i];
	return NULL;
}

static struct container_ref *ref_next(struct pack *p)
{
	struct container_ref *grown = realloc(p->refs, (p->nrefs + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	p->refs = grown;
	grown[p->nrefs] = (struct container_ref){ .kind = 0 };
	return &grown[p->nrefs++];
}

/* The patch variable a reference fills: defined, big enough, writable. */
static int ref_patch_var(struct pack *p, const struct dsc_ref *ref, struct container_ref *cr)
{
	const char *file = p->d.file, *name = ref->patch_sym;
	uint64_t need = ref->tls ? 16 : 8;
	const struct tsym *v = NULL;
	char cands[512];
	unsigned data = TSYM_TYPE(STT_OBJECT) | TSYM_TYPE(STT_COMMON);
	int r = target_syms_find(&p->psyms, name, data, NULL, &v, cands, sizeof(cands));
	if (r == -ENOTUNIQ)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: patch object '%s' has several variables named '%s': %s; "
				"rename one of them",
				file, ref->line, p->patch_path, name, cands);
	if (r == 0 && ref->has_offsets && v->value != ref->patch_off)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: patch variable '%s' is at offset 0x%llx, not 0x%llx as the line says; "
				"fix the offset or drop both offsets",
				file, ref->line, name, (unsigned long long)v->value,
				(unsigned long long)ref->patch_off);
	if (r < 0 && !ref->has_offsets)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: patch object '%s' has no variable '%s'; define it in the patch as a global "
				"%s (not static: the runtime writes it)",
				file, ref->line, p->patch_path, name,
				ref->tls ? "'tls_index NAME;'" : "pointer 'TYPE *NAME;'");
	cr->patch_off = r == 0 ? v->value : ref->patch_off;
	if (r == 0 && v->size < need)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: patch variable '%s' has %llu bytes, the reference needs %llu; declare it as %s",
				file, ref->line, name, (unsigned long long)v->size, (unsigned long long)need,
				ref->tls ? "a tls_index (two unsigned longs)" : "a pointer");
	if (!elf_file_writable(&p->patch, cr->patch_off, need))
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: patch variable '%s' (offset 0x%llx) is not in writable data of '%s'; "
				"do not make it const, and check the offset",
				file, ref->line, name, (unsigned long long)cr->patch_off, p->patch_path);
	cr->patch_sym = name;
	return 0;
}

/* Why no symbol named @ref's target is of its kind at its offset: the
 * message, or 0 when the name is not known at all (a stripped target). */
static int ref_target_missing(struct pack *p, const struct dsc_ref *ref, unsigned types, char *cands, size_t cap)
{
	const char *file = p->d.file, *name = ref->target_sym, *tgt = p->target_path;
	const struct tsym *o = NULL;
	int r = target_syms_find(&p->tsyms, name, types, NULL, &o, cands, cap);
	if (r == 0) /* only the offset given differs */
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: '%s' is at offset 0x%llx in target '%s', not 0x%llx as the line says; "
				"fix the offset or drop both offsets",
				file, ref->line, name, (unsigned long long)o->value, tgt,
				(unsigned long long)ref->target_off);
	if (r == -ENOTUNIQ)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: none of the symbols named '%s' in target '%s' is at offset 0x%llx: %s", file,
				ref->line, name, tgt, (unsigned long long)ref->target_off, cands);
	if (target_syms_find(&p->tsyms, name, TSYM_ANY, NULL, &o, cands, cap) != -ULP_E_SYMBOL)
		return diag_set(p->err, -ULP_E_SYMBOL, "%s:%u: '%s' in target '%s' is %s; write '%s%s:%s'", file,
				ref->line, name, tgt, ref->tls ? "not thread-local" : "a thread-local variable",
				ref->tls ? "#" : "#%", name, ref->patch_sym);
	if (!ref->has_offsets)
		return diag_set(p->err, -ULP_E_SYMBOL, "%s:%u: target '%s' has no symbol '%s'; check the name%s", file,
				ref->line, tgt, name, statics_hint(p));
	return 0;
}

/* The target side of a reference: by name, the offset given (if any)
 * checked against it or picking one of several. */
static int ref_target(struct pack *p, const struct dsc_ref *ref, struct container_ref *cr)
{
	const char *name = ref->target_sym, *tgt = p->target_path;
	unsigned types = ref->tls ? TSYM_TYPE(STT_TLS) : TSYM_ANY & ~TSYM_TYPE(STT_TLS);
	const struct tsym *s = NULL;
	char cands[768];
	int r = target_syms_find(&p->tsyms, name, types, ref->has_offsets ? &ref->target_off : NULL, &s, cands,
				 sizeof(cands));
	if (r == -ULP_E_SYMBOL && (r = ref_target_missing(p, ref, types, cands, sizeof(cands))) < 0)
		return r;
	if (r == -ENOTUNIQ)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: target '%s' has several symbols named '%s': %s; "
				"write the name that picks one, or give its offset",
				p->d.file, ref->line, tgt, name, cands);
	if (s && s->type == STT_GNU_IFUNC)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: '%s' in target '%s' is an ifunc resolver, not the function it selects; "
				"refer to the implementation instead",
				p->d.file, ref->line, name, tgt);
	cr->target_sym = name;
	cr->target_off = s ? s->value : ref->target_off;
	cr->kind = ref->tls ? CONTAINER_REF_TLS : CONTAINER_REF_ADDR;
	/* A function this patch replaces: its trampoline leads back into
	 * the patch, so the reference is to the original body. */
	if (!ref->tls && pack_replaced_at(p, cr->target_off))
		cr->kind = CONTAINER_REF_ORIGINAL;
	return 0;
}

static int pack_resolve_refs(struct pack *p)
{
	for (size_t i = 0; i < p->d.nrefs; i++) {
		struct container_ref *cr = ref_next(p);
		if (!cr)
			return diag_set(p->err, -ENOMEM, "out of memory");
		int r = ref_target(p, &p->d.refs[i], cr);
		if (r == 0)
			r = ref_patch_var(p, &p->d.refs[i], cr);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The hooks the patch object defines, by their fixed names. */
static int pack_hooks(struct pack *p)
{
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		const struct tsym *fn = NULL;
		char cands[256];
		int r = target_syms_find(&p->psyms, hooks[i].symbol, TSYM_ANY, NULL, &fn, cands, sizeof(cands));
		if (r == -ULP_E_SYMBOL)
			continue;
		if (r < 0 || fn->type != STT_FUNC)
			return diag_set(p->err, -ULP_E_SYMBOL,
					"%s: patch object '%s' defines '%s' %s; the %s hook must be one function",
					p->patch_at, p->patch_path, hooks[i].symbol,
					r < 0 ? "more than once" : "but not as a function", hooks[i].hook);
		struct container_ref *cr = ref_next(p);
		if (!cr)
			return diag_set(p->err, -ENOMEM, "out of memory");
		*cr = (struct container_ref){
			.kind = hooks[i].kind,
			.target_sym = hooks[i].hook,
			.patch_sym = hooks[i].symbol,
			.patch_off = fn->value,
		};
	}
	return 0;
}

/* Whether the author acknowledged the copy of @fn in @name with --allow-inlined. */
static bool pack_allowed(struct pack *p, const char *fn, const char *name)
{
	bool allowed = false;
	for (size_t i = 0; i < p->opt->nallow_inlined; i++)
		if (strcmp(p->opt->allow_inlined[i], name) == 0)
			allowed = p->allow_used[i] = true;
	if (allowed)
		pack_warn(p, "the copy of '%s' in '%s' keeps the old code (--allow-inlined=%s)", fn, name, name);
	return allowed;
}

/* Append "NAME (WHERE)" to @list (of @cap bytes). */
static void list_add(char *list, size_t cap, const char *name, const char *where)
{
	size_t used = strlen(list);
	if (used + 1 < cap)
		snprintf(list + used, cap - used, "%s'%s'%s", used ? ", " : "", name, where);
}

/* Compiler clones of function @name: "name.isra.0", "name.cold"... */
static void clones_collect(struct pack *p, const char *name, char *list, size_t cap, size_t *ret_n)
{
	static const char *const kinds[] = { "isra", "constprop", "part", "cold", "lto_priv" };
	size_t len = strlen(name);
	for (size_t i = 0; i < p->tsyms.n; i++) {
		const struct tsym *s = &p->tsyms.s[i];
		if (s->type != STT_FUNC || strncmp(s->name, name, len) != 0 || s->name[len] != '.')
			continue;
		bool clone = false;
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			clone |= strncmp(s->name + len + 1, kinds[k], strlen(kinds[k])) == 0;
		if (!clone || pack_replaced_at(p, s->value) || pack_allowed(p, name, s->name))
			continue;
		list_add(list, cap, s->name, " (a compiler clone)");
		++*ret_n;
	}
}

/*
 * Copies of the replaced functions that redirecting their entries does not
 * reach: inlined into callers (from DWARF) and compiler clones (from the
 * symbol table).  Each must be replaced too or acknowledged.
 */
static int pack_check_copies(struct pack *p)
{
	const char **names = calloc(p->d.npairs, sizeof(*names));
	p->allow_used = calloc(p->opt->nallow_inlined + 1, sizeof(*p->allow_used));
	if (!names || !p->allow_used) {
		free(names);
		return diag_set(p->err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < p->d.npairs; i++) {
		/* The plain name: DWARF knows neither versions nor files. */
		const struct tsym *s = target_syms_at(&p->tsyms, p->funcs[i].old_off);
		names[i] = s ? s->name : p->d.pairs[i].old_name;
	}
	struct inline_use *uses = NULL;
	size_t nuses = 0;
	Elf *dwarf = p->tsyms.dbg.elf ? p->tsyms.dbg.elf : p->tsyms.code ? p->tsyms.code->elf : NULL;
	int r = dwarf ? inline_scan(dwarf, names, p->d.npairs, &uses, &nuses) : -ENODATA;
	if (r == -ENODATA)
		pack_warn(p,
			  "%s: %s '%s' has no DWARF: cannot tell whether the replaced functions were inlined into "
			  "callers this patch leaves unfixed; %s to be told",
			  p->target_at, p->tsyms.json ? "the 'ulp extract' file" : "target", p->target_path,
			  p->tsyms.json ? "pack once against the target and its debug file"
					: "install the target's debug file");
	else if (r < 0) {
		free(names);
		return diag_set(p->err, r, "cannot read the DWARF of target '%s': %s", p->target_path, strerror(-r));
	}
	r = 0;
	for (size_t i = 0; r == 0 && i < p->d.npairs; i++) {
		char list[768] = "";
		size_t n = 0;
		for (size_t k = 0; k < nuses; k++) {
			const struct inline_use *u = &uses[k];
			/* The caller by its address: a pair may name it any way
			 * (NAME@VER, NAME[file.c]); a clone by its symbol name. */
			const struct tsym *at = u->caller_addr ? target_syms_at(&p->tsyms, u->caller_addr) : NULL;
			const char *caller = at ? at->name : u->caller;
			if (u->function != names[i] || (u->caller_addr && pack_replaced_at(p, u->caller_addr)) ||
			    pack_allowed(p, names[i], caller))
				continue;
			char where[300] = " (inlined)";
			if (u->file)
				snprintf(where, sizeof(where), " (inlined at %s:%u)", u->file, u->line);
			list_add(list, sizeof(list), caller, where);
			n++;
		}
		clones_collect(p, names[i], list, sizeof(list), &n);
		if (n)
			r = diag_set(
				p->err, -ULP_E_NOT_PATCHABLE,
				"%s:%u: function '%s' of target '%s' has copies that its new entry does not reach, "
				"in %s; replace those functions too (an 'old:new' line each), or acknowledge each "
				"with --allow-inlined=NAME",
				p->d.file, p->d.pairs[i].line, p->d.pairs[i].old_name, p->target_path, list);
	}
	for (size_t i = 0; r == 0 && i < p->opt->nallow_inlined; i++)
		if (!p->allow_used[i])
			pack_warn(p, "--allow-inlined=%s: no replaced function has a copy there; check the name",
				  p->opt->allow_inlined[i]);
	inline_uses_free(uses, nuses);
	free(names);
	return r;
}

static int pack_write(struct pack *p, struct packer_result *res)
{
	const char *out = p->opt->output ? p->opt->output : p->patch_path;
	struct container_spec spec = {
		.target_name = p->tsyms.name,
		.buildid = p->tsyms.buildid,
		.buildid_len = (uint32_t)p->tsyms.buildid_len,
		.nfuncs = (uint32_t)p->d.npairs,
		.funcs = p->funcs,
		.ncomments = (uint32_t)p->d.ncomments,
		.comments = (const char *const *)p->d.comments,
		.nrefs = p->nrefs,
		.refs = p->refs,
	};
	int r = container_write(p->patch_path, out, &spec);
	/* A system error is about the output; a container error (a patch
	 * object the writer cannot handle) has its own message. */
	bool system_error = r < 0 && -r < ULP_E_NOT_CONTAINER;
	if (r < 0)
		return diag_set(p->err, r, "cannot write live patch '%s': %s%s", out, ulp_strerror(r),
				system_error ? "; check that its directory exists and is writable" : "");
	snprintf(res->output, sizeof(res->output), "%s", out);
	snprintf(res->target_name, sizeof(res->target_name), "%s", p->tsyms.name);
	res->nfuncs = spec.nfuncs;
	res->nrefs = (uint32_t)p->d.nrefs;
	return 0;
}

int packer_pack(const struct packer_options *opt, struct packer_result *ret_res, struct diag *err)
{
	struct pack p = PACK_INIT;
	p.opt = opt;
	p.err = err;
	int r = description_read(opt->description, &p.d, err);
	if (r == 0)
		r = pack_overrides(&p);
	if (r == 0)
		r = pack_open_patch(&p);
	if (r == 0)
		r = pack_open_target(&p);
	if (r == 0)
		r = pack_target_identity(&p);
	if (r == 0)
		r = pack_resolve_pairs(&p);
	if (r == 0)
		r = pack_check_copies(&p);
	if (r == 0)
		r = pack_resolve_refs(&p);
	if (r == 0)
		r = pack_hooks(&p);
	if (r == 0)
		r = pack_write(&p, ret_res);
	pack_release(&p);
	return r;
}
