/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packer.c - the pack recipe: description -> overrides -> patch object ->
 * target -> every function pair -> container.  Each step checks what it
 * can and reports the description line at fault.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "packer/description.h"
#include "packer/packer.h"
#include "packer/symbols.h"

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
	char *target_name;
	const uint8_t *buildid;
	size_t buildid_len;
	struct container_func *funcs;
};

/* clang-format off */
#define PACK_INIT {.d = DESCRIPTION_INIT, .patch = ELF_FILE_INIT, .target = ELF_FILE_INIT}
/* clang-format on */

static void pack_release(struct pack *p)
{
	description_release(&p->d);
	elf_file_release(&p->patch);
	elf_file_release(&p->target);
	free(p->target_name);
	free(p->funcs);
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
	return 0;
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
	if (r == -ULP_E_NOT_ELF && looks_like_json(p->target_path))
		return diag_set(p->err, -ULP_E_DESCRIPTION,
				"%s: target '%s'%s is a JSON file from 'ulp extract', which is not supported yet; "
				"give the path of the target object itself",
				p->target_at, p->target_path, p->target_via);
	if (r == -ULP_E_NOT_ELF)
		return diag_set(p->err, r,
				"%s: target '%s'%s is not an ELF file; give the library or executable to patch",
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
	return 0;
}

static int pack_target_identity(struct pack *p)
{
	int r = elf_file_buildid(&p->target, &p->buildid, &p->buildid_len);
	if (r < 0)
		return diag_set(p->err, -ULP_E_BUILDID,
				"%s: target '%s'%s has no build-id; link it with -Wl,--build-id", p->target_at,
				p->target_path, p->target_via);
	r = elf_file_name(&p->target, p->target_path, &p->target_name);
	if (r < 0)
		return diag_set(p->err, r, "out of memory");
	return 0;
}

/* Find the function @pair replaces and check that it can be patched. */
static int pair_resolve_old(struct pack *p, const struct dsc_pair *pair, struct container_func *cf)
{
	const char *file = p->d.file, *name = pair->old_name, *tgt = p->target_path;
	struct elf_func fn = { 0 };
	struct arch_site site;
	int r = elf_file_find_func(&p->target, name, &fn);
	if (r == -ULP_E_SYMBOL)
		return diag_set(p->err, r,
				"%s:%u: target '%s' has no function '%s'; check the name "
				"(static functions need the target's symbol table: do not strip it)",
				file, pair->line, tgt, name);
	if (r == -ENOTUNIQ)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: target '%s' has several functions named '%s'; "
				"patching one of them by name is not supported yet",
				file, pair->line, tgt, name);
	if (r < 0 || fn.type != STT_FUNC)
		return diag_set(p->err, -ULP_E_SYMBOL, "%s:%u: '%s' in target '%s' is not a function%s", file,
				pair->line, name, tgt,
				fn.type == STT_GNU_IFUNC ? " but an ifunc resolver; patch the implementation it selects"
							 : "");
	if (fn.size == 0)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: function '%s' in target '%s' has no size in the symbol table; "
				"give it one ('.size' in assembly)",
				file, pair->line, name, tgt);
	r = elf_file_entry(&p->target, fn.value, &site);
	if (r < 0)
		return diag_set(p->err, r, "cannot read target '%s': %s", tgt, strerror(-r));
	if (site.state != ARCH_ENTRY_UNPATCHED)
		return diag_set(p->err, -ULP_E_NOT_PATCHABLE,
				"%s:%u: function '%s' in target '%s' has no patchable entry; "
				"build the target with -fpatchable-function-entry=16,14",
				file, pair->line, name, tgt);
	cf->old_name = name;
	cf->old_off = fn.value;
	cf->old_size = fn.size;
	return 0;
}

/* Find the replacement function in the patch object. */
static int pair_resolve_new(struct pack *p, const struct dsc_pair *pair, struct container_func *cf)
{
	struct elf_func fn = { 0 };
	int r = elf_file_find_func(&p->patch, pair->new_name, &fn);
	if (r == -ENOTUNIQ)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: patch object '%s' has several functions named '%s'; rename one of them",
				p->d.file, pair->line, p->patch_path, pair->new_name);
	if (r < 0 || fn.type != STT_FUNC)
		return diag_set(p->err, -ULP_E_SYMBOL,
				"%s:%u: patch object '%s' has no function '%s'; define it in the patch "
				"(and do not strip the patch)",
				p->d.file, pair->line, p->patch_path, pair->new_name);
	cf->new_name = pair->new_name;
	cf->new_off = fn.value;
	cf->new_size = fn.size;
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

static int pack_write(struct pack *p, struct packer_result *res)
{
	const char *out = p->opt->output ? p->opt->output : p->patch_path;
	struct container_spec spec = {
		.target_name = p->target_name,
		.buildid = p->buildid,
		.buildid_len = (uint32_t)p->buildid_len,
		.nfuncs = (uint32_t)p->d.npairs,
		.funcs = p->funcs,
		.ncomments = (uint32_t)p->d.ncomments,
		.comments = (const char *const *)p->d.comments,
	};
	int r = container_write(p->patch_path, out, &spec);
	/* A system error is about the output; a container error (a patch
	 * object the writer cannot handle) has its own message. */
	bool system_error = r < 0 && -r < ULP_E_NOT_CONTAINER;
	if (r < 0)
		return diag_set(p->err, r, "cannot write live patch '%s': %s%s", out, ulp_strerror(r),
				system_error ? "; check that its directory exists and is writable" : "");
	snprintf(res->output, sizeof(res->output), "%s", out);
	snprintf(res->target_name, sizeof(res->target_name), "%s", p->target_name);
	res->nfuncs = spec.nfuncs;
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
		r = pack_write(&p, ret_res);
	pack_release(&p);
	return r;
}
