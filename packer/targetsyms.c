/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * targetsyms.c - the packer's index of a target's symbols, from the object
 * (and its debug file) or from an 'ulp extract' JSON.  See targetsyms.h.
 */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/ulp-errors.h"
#include "packer/targetsyms.h"

/* Split "name@VER" / "name@@VER" (as .symtab spells versioned symbols). */
static void name_split(const char *full, size_t *ret_len, const char **ret_ver, bool *ret_default)
{
	const char *at = strchr(full, '@');
	*ret_len = at ? (size_t)(at - full) : strlen(full);
	*ret_ver = NULL;
	*ret_default = false;
	if (at) {
		*ret_default = at[1] == '@';
		*ret_ver = at + 1 + *ret_default;
	}
}

/* Append one symbol, its name split from a version .symtab spells in it. */
static int index_add(struct target_syms *t, const struct elf_symbol *es, signed char entry)
{
	size_t len;
	const char *ver;
	bool def;
	name_split(es->name, &len, &ver, &def);
	if (es->version) {
		ver = es->version;
		def = !es->hidden_version;
	}
	struct tsym *grown = realloc(t->s, (t->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	t->s = grown;
	struct tsym *s = &t->s[t->n++];
	*s = (struct tsym){
		.name = strndup(es->name, len),
		.version = ver ? strdup(ver) : NULL,
		.default_version = def,
		.file = es->file ? strdup(es->file) : NULL,
		.value = es->value,
		.size = es->size,
		.type = es->type,
		.bind = es->bind,
		.entry = entry,
	};
	return !s->name || (ver && !s->version) || (es->file && !s->file) ? -ENOMEM : 0;
}

static void tsym_free(struct tsym *s)
{
	free(s->name);
	free(s->version);
	free(s->file);
}

static int tsym_cmp(const void *a, const void *b)
{
	const struct tsym *x = a, *y = b;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Fold @from into @into (the same name at the same address): the largest
 * size, a function type, a global binding, the file of .symtab and the
 * version of .dynsym. */
static void tsym_merge(struct tsym *into, struct tsym *from)
{
	if (from->size > into->size)
		into->size = from->size;
	if (from->type == STT_FUNC)
		into->type = from->type;
	if (from->bind != STB_LOCAL)
		into->bind = from->bind;
	if (!into->file) {
		into->file = from->file;
		from->file = NULL;
	}
	if (!into->version) {
		into->version = from->version;
		into->default_version = from->default_version;
		from->version = NULL;
	}
	if (from->entry >= 0)
		into->entry = from->entry;
	tsym_free(from);
}

/*
 * One entry per name and address: .symtab and .dynsym both list an
 * export, a JSON lists it twice.  Sorting first keeps this O(n log n) for
 * libraries with hundreds of thousands of symbols.
 */
static void index_compact(struct target_syms *t)
{
	if (t->n < 2)
		return;
	qsort(t->s, t->n, sizeof(*t->s), tsym_cmp);
	size_t out = 0;
	for (size_t i = 1; i < t->n; i++) {
		if (tsym_cmp(&t->s[out], &t->s[i]) == 0)
			tsym_merge(&t->s[out], &t->s[i]);
		else
			t->s[++out] = t->s[i];
	}
	t->n = out + 1;
}

static int elf_symbol_add(const struct elf_symbol *es, void *data)
{
	return index_add(data, es, -1);
}

static int identity_set(struct target_syms *t, const uint8_t *id, size_t len, const char *name)
{
	t->buildid = malloc(len ? len : 1);
	t->name = strdup(name);
	if (!t->buildid || !t->name)
		return -ENOMEM;
	memcpy(t->buildid, id, len);
	t->buildid_len = len;
	return 0;
}

int target_syms_from_elf(struct elf_file *f, const char *path, struct target_syms *ret_t)
{
	struct target_syms t = TARGET_SYMS_INIT;
	const uint8_t *id = NULL;
	size_t len = 0;
	char *name = NULL;
	t.code = f;
	int r = elf_file_name(f, path, &name);
	if (r == 0 && elf_file_buildid(f, &id, &len) == 0)
		r = identity_set(&t, id, len, name);
	free(name);
	t.statics = elf_file_has_symtab(f);
	if (r == 0 && !t.statics) {
		char found[PATH_MAX];
		if (elf_file_debug_find(f, path, found, &t.dbg) == 0) {
			t.statics = true;
			t.debug_path = strdup(found);
			if (!t.debug_path)
				r = -ENOMEM;
		}
	}
	if (r == 0 && t.dbg.elf)
		r = elf_file_symbols_foreach(&t.dbg, elf_symbol_add, &t);
	if (r == 0)
		r = elf_file_symbols_foreach(f, elf_symbol_add, &t);
	index_compact(&t);
	if (r < 0) {
		target_syms_release(&t);
		return r;
	}
	*ret_t = t;
	return 0;
}

/* --- 'ulp extract' documents --- */

static const char *json_str(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static bool json_u64(json_object *o, const char *key, uint64_t *ret)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	int64_t n = json_object_get_int64(v);
	*ret = (uint64_t)n;
	return n >= 0;
}

static int nibble(char c)
{
	const char *digits = "0123456789abcdef", *p = c ? strchr(digits, c | 0x20) : NULL;
	return p ? (int)(p - digits) : -1;
}

static int hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *ret_len)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 || n / 2 > cap)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*ret_len = n / 2;
	return 0;
}

/* One member of "symbols"; @i is its index, for messages. */
static int json_symbol_add(struct target_syms *t, json_object *o, size_t i, const char *path, struct diag *err)
{
	uint64_t value = 0, size = 0;
	const char *name = json_str(o, "name");
	int type = elf_symbol_type_of(json_str(o, "type")), bind = elf_symbol_bind_of(json_str(o, "binding"));
	if (!name || !*name || type < 0 || bind < 0 || !json_u64(o, "offset", &value) || !json_u64(o, "size", &size))
		return diag_set(err, -ULP_E_DESCRIPTION,
				"'%s': symbol %zu lacks a valid name, offset, size, type or binding; "
				"write the file again with 'ulp extract'",
				path, i);
	json_object *v;
	signed char entry = -1;
	if (json_object_object_get_ex(o, "patchable", &v))
		entry = json_object_get_boolean(v) ? ARCH_ENTRY_UNPATCHED : ARCH_ENTRY_NOT_PATCHABLE;
	struct elf_symbol es = {
		.name = name,
		.value = value,
		.size = size,
		.type = (unsigned char)type,
		.bind = (unsigned char)bind,
		.file = json_str(o, "file"),
		.version = json_str(o, "version"),
		.hidden_version = json_object_object_get_ex(o, "default_version", &v) && !json_object_get_boolean(v),
	};
	if (strcmp(json_str(o, "table") ? json_str(o, "table") : "", "symtab") == 0)
		t->statics = true;
	return index_add(t, &es, entry) < 0 ? diag_set(err, -ENOMEM, "out of memory") : 0;
}

int target_syms_from_json(const char *path, struct target_syms *ret_t, struct diag *err)
{
	struct target_syms t = TARGET_SYMS_INIT;
	json_object *doc = json_object_from_file(path), *syms = NULL;
	int r = 0;
	uint8_t id[64];
	size_t len = 0;
	const char *name = doc ? json_str(doc, "name") : NULL, *hex = doc ? json_str(doc, "build_id") : NULL;
	t.json = true;
	if (!doc) {
		r = diag_set(err, -ULP_E_DESCRIPTION, "'%s' is not a JSON document: %s", path,
			     json_util_get_last_err() ? json_util_get_last_err() : "cannot read it");
		goto out;
	}
	if (!name || !*name || !hex || hex_decode(hex, id, sizeof(id), &len) < 0 ||
	    !json_object_object_get_ex(doc, "symbols", &syms) || !json_object_is_type(syms, json_type_array)) {
		r = diag_set(err, -ULP_E_DESCRIPTION,
			     "'%s' is not an 'ulp extract' document (it needs \"name\", \"build_id\" and \"symbols\"); "
			     "write it with 'ulp extract'",
			     path);
		goto out;
	}
	r = identity_set(&t, id, len, name);
	if (r < 0) {
		diag_set(err, r, "out of memory");
		goto out;
	}
	for (size_t i = 0; r == 0 && i < json_object_array_length(syms); i++)
		r = json_symbol_add(&t, json_object_array_get_idx(syms, i), i, path, err);
	index_compact(&t);
	const char *debug = json_str(doc, "debuginfo");
	if (r == 0 && debug && !(t.debug_path = strdup(debug)))
		r = diag_set(err, -ENOMEM, "out of memory");
out:
	json_object_put(doc);
	if (r < 0) {
		target_syms_release(&t);
		return r;
	}
	*ret_t = t;
	return 0;
}

void target_syms_release(struct target_syms *t)
{
	for (size_t i = 0; i < t->n; i++)
		tsym_free(&t->s[i]);
	free(t->s);
	free(t->name);
	free(t->buildid);
	free(t->debug_path);
	elf_file_release(&t->dbg);
	*t = (struct target_syms)TARGET_SYMS_INIT;
}

/* --- lookups --- */

/* A lookup: NAME, NAME@VER, NAME@@VER or NAME[FILE]. */
struct spec {
	char name[256];
	const char *version;
	bool default_only;
	char file[256];
};

static int spec_parse(const char *text, struct spec *ret)
{
	*ret = (struct spec){ .version = NULL };
	const char *br = strchr(text, '[');
	size_t len;
	bool def;
	const char *ver;
	name_split(text, &len, &ver, &def);
	if (br && (size_t)(br - text) < len) {
		len = (size_t)(br - text);
		const char *end = strchr(br, ']');
		if (!end || end[1] || end == br + 1 || (size_t)(end - br) > sizeof(ret->file))
			return -EINVAL;
		snprintf(ret->file, sizeof(ret->file), "%.*s", (int)(end - br - 1), br + 1);
		ver = NULL;
	}
	if (len == 0 || len >= sizeof(ret->name) || (ver && !*ver))
		return -EINVAL;
	snprintf(ret->name, sizeof(ret->name), "%.*s", (int)len, text);
	ret->version = ver;
	ret->default_only = def;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static bool spec_matches(const struct spec *sp, const struct tsym *s)
{
	if (strcmp(s->name, sp->name) != 0)
		return false;
	if (sp->version &&
	    (!s->version || strcmp(s->version, sp->version) != 0 || (sp->default_only && !s->default_version)))
		return false;
	return !sp->file[0] ||
	       (s->file && (strcmp(s->file, sp->file) == 0 || strcmp(base_name(s->file), sp->file) == 0));
}

/* How to name candidate @s so that a lookup finds only it. */
static void cand_append(char *cands, size_t cap, const struct tsym *s)
{
	size_t used = strlen(cands);
	if (used + 1 >= cap)
		return;
	const char *sep = used ? ", " : "";
	if (s->version)
		snprintf(cands + used, cap - used, "%s%s@%s%s at 0x%llx", sep, s->name, s->default_version ? "@" : "",
			 s->version, (unsigned long long)s->value);
	else if (s->file)
		snprintf(cands + used, cap - used, "%s%s[%s] at 0x%llx", sep, s->name, s->file,
			 (unsigned long long)s->value);
	else
		snprintf(cands + used, cap - used, "%s%s (%s) at 0x%llx", sep, s->name,
			 s->bind == STB_LOCAL ? "static" : "global", (unsigned long long)s->value);
}

int target_syms_find(const struct target_syms *t, const char *spec, unsigned types, const uint64_t *at,
		     const struct tsym **ret_sym, char *cands, size_t cap)
{
	struct spec sp;
	const struct tsym *found = NULL;
	bool many = false;
	if (cap)
		cands[0] = '\0';
	if (spec_parse(spec, &sp) < 0)
		return -ULP_E_SYMBOL;
	for (size_t i = 0; i < t->n; i++) {
		const struct tsym *s = &t->s[i];
		if (!(types & TSYM_TYPE(s->type)) || !spec_matches(&sp, s) || (at && s->value != *at))
			continue;
		/* Aliases at one address (a static and its export) are one. */
		if (found && found->value == s->value)
			continue;
		if (found && !many) {
			many = true;
			cand_append(cands, cap, found);
		}
		if (many)
			cand_append(cands, cap, s);
		else
			found = s;
	}
	if (many)
		return -ENOTUNIQ;
	if (!found)
		return -ULP_E_SYMBOL;
	*ret_sym = found;
	return 0;
}

int target_syms_entry(const struct target_syms *t, const struct tsym *s, struct arch_site *ret_site)
{
	*ret_site = (struct arch_site){ .state = ARCH_ENTRY_NOT_PATCHABLE };
	if (t->code)
		return elf_file_entry(t->code, s->value, ret_site);
	if (s->entry < 0)
		return -ENODATA;
	ret_site->state = (enum arch_entry_state)s->entry;
	return 0;
}

const struct tsym *target_syms_at(const struct target_syms *t, uint64_t value)
{
	const struct tsym *best = NULL;
	for (size_t i = 0; i < t->n; i++) {
		const struct tsym *s = &t->s[i];
		if (s->value == value && (s->type == STT_FUNC) &&
		    (!best || (best->bind == STB_LOCAL && s->bind != STB_LOCAL)))
			best = s;
	}
	return best;
}
