/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * description.c - parse a live patch description (.dsc); the syntax is in
 * description.h and docs/packer.md.  The first error stops the parse and
 * is reported as "FILE:LINE: what is wrong; what to do".
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/ulp-errors.h"
#include "packer/description.h"

struct parser {
	struct description d;
	struct diag *err;
	unsigned line;
};

__attribute__((format(printf, 3, 4))) static int parse_fail(struct parser *p, int r, const char *fmt, ...)
{
	char what[sizeof(p->err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return diag_set(p->err, r, "%s:%u: %s", p->d.file, p->line, what);
}

/* Drop leading and trailing white space, in place. */
static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

/* Append the @size bytes at @elem to the array *@arr of *@n elements. */
static int array_push(void *arr, size_t *n, size_t size, const void *elem)
{
	void **a = arr;
	char *grown = realloc(*a, (*n + 1) * size);
	if (!grown)
		return -ENOMEM;
	memcpy(grown + *n * size, elem, size);
	*a = grown;
	++*n;
	return 0;
}

static int line_comment(struct parser *p, char *text)
{
	char *c = strdup(trim(text + 1));
	if (!c || array_push(&p->d.comments, &p->d.ncomments, sizeof(c), &c) < 0) {
		free(c);
		return -ENOMEM;
	}
	return 0;
}

static int line_patch(struct parser *p, const char *text)
{
	if (text[0] == '@' || text[0] == '#')
		return parse_fail(p, -ULP_E_DESCRIPTION,
				  "expected the path of the patch object, found '%s'; "
				  "the first line must name the patch .so",
				  text);
	p->d.patch_path = strdup(text);
	p->d.patch_line = p->line;
	return p->d.patch_path ? 0 : -ENOMEM;
}

static int line_target(struct parser *p, const char *text)
{
	const char *path = text + 1;
	if (p->d.target_path)
		return parse_fail(p, -ULP_E_DESCRIPTION,
				  "second target '%s' (the first is on line %u); "
				  "a description patches one target: write one description per target",
				  path, p->d.target_line);
	if (!*path)
		return parse_fail(p, -ULP_E_DESCRIPTION, "'@' without a path; write '@/path/to/target.so'");
	p->d.target_path = strdup(path);
	p->d.target_line = p->line;
	return p->d.target_path ? 0 : -ENOMEM;
}

static bool is_hex(const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/* Whether the hex number @s (is_hex() said it is one) fits in 64 bits:
 * strtoull() would silently make a longer one UINT64_MAX. */
static bool hex_fits(const char *s)
{
	errno = 0;
	strtoull(s, NULL, 16);
	return errno != ERANGE;
}

/*
 * "#target_sym:patch_ref[:TOFF:POFF]", "#%" for thread-local variables.
 * The offsets are hexadecimal, with or without "0x".
 */
static int line_reference(struct parser *p, char *text)
{
	bool tls = text[1] == '%';
	char *body = text + 1 + tls;
	char *field[5] = { 0 };
	int n = 0;
	for (char *s = body, *colon; n < 5; s = colon + 1) {
		field[n++] = s;
		colon = strchr(s, ':');
		if (!colon)
			break;
		*colon = '\0';
	}
	bool ok = (n == 2 || n == 4) && *field[0] && *field[1] && !has_space(field[0]) && !has_space(field[1]) &&
		  (n == 2 || (is_hex(field[2]) && is_hex(field[3])));
	if (!ok)
		return parse_fail(p, -ULP_E_DESCRIPTION,
				  "malformed reference; write '#target_sym:patch_ref' or "
				  "'#target_sym:patch_ref:TOFF:POFF' with hex offsets ('#%%' for TLS)");
	for (int i = 2; i < n; i++)
		if (!hex_fits(field[i]))
			return parse_fail(p, -ULP_E_DESCRIPTION,
					  "offset '%s' does not fit in 64 bits; write the symbol's offset in hex",
					  field[i]);
	for (size_t i = 0; i < p->d.nrefs; i++)
		if (strcmp(p->d.refs[i].patch_sym, field[1]) == 0)
			return parse_fail(p, -ULP_E_DESCRIPTION,
					  "'%s' is already set by the reference on line %u; "
					  "a patch variable holds one reference",
					  field[1], p->d.refs[i].line);
	struct dsc_ref ref = {
		.target_sym = strdup(field[0]),
		.patch_sym = strdup(field[1]),
		.tls = tls,
		.has_offsets = n == 4,
		.target_off = n == 4 ? strtoull(field[2], NULL, 16) : 0,
		.patch_off = n == 4 ? strtoull(field[3], NULL, 16) : 0,
		.line = p->line,
	};
	if (!ref.target_sym || !ref.patch_sym || array_push(&p->d.refs, &p->d.nrefs, sizeof(ref), &ref) < 0) {
		free(ref.target_sym);
		free(ref.patch_sym);
		return -ENOMEM;
	}
	return 0;
}

static int pair_check_name(struct parser *p, const char *name, const char *which, const char *text)
{
	if (!*name)
		return parse_fail(p, -ULP_E_DESCRIPTION,
				  "missing %s function name in '%s'; write 'old_function:new_function'", which, text);
	if (has_space(name))
		return parse_fail(p, -ULP_E_DESCRIPTION,
				  "%s function name '%s' contains white space; write 'old_function:new_function'",
				  which, name);
	return 0;
}

static int line_pair(struct parser *p, char *text)
{
	char *colon = strchr(text, ':');
	if (!colon)
		return parse_fail(p, -ULP_E_DESCRIPTION, "expected 'old_function:new_function', found '%s'", text);
	if (strchr(colon + 1, ':'))
		return parse_fail(p, -ULP_E_DESCRIPTION, "too many ':' in '%s'; write 'old_function:new_function'",
				  text);
	char shown[256];
	snprintf(shown, sizeof(shown), "%s", text);
	*colon = '\0';
	char *old_name = trim(text), *new_name = trim(colon + 1);
	int r = pair_check_name(p, old_name, "old", shown);
	if (r == 0)
		r = pair_check_name(p, new_name, "new", shown);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->d.npairs; i++)
		if (strcmp(p->d.pairs[i].old_name, old_name) == 0)
			return parse_fail(p, -ULP_E_DESCRIPTION,
					  "function '%s' is already replaced on line %u; keep one pair for it",
					  old_name, p->d.pairs[i].line);

	struct dsc_pair pair = { .old_name = strdup(old_name), .new_name = strdup(new_name), .line = p->line };
	if (!pair.old_name || !pair.new_name || array_push(&p->d.pairs, &p->d.npairs, sizeof(pair), &pair) < 0) {
		free(pair.old_name);
		free(pair.new_name);
		return -ENOMEM;
	}
	return 0;
}

static int line_parse(struct parser *p, char *raw)
{
	char *text = trim(raw);
	if (!*text)
		return 0;
	if (text[0] == '!')
		return line_comment(p, text);
	if (!p->d.patch_path)
		return line_patch(p, text);
	if (text[0] == '@')
		return line_target(p, text);
	if (text[0] == '#')
		return line_reference(p, text);
	return line_pair(p, text);
}

/* What must be there once every line is read. */
static int parse_finish(struct parser *p)
{
	p->line = p->d.nlines ? p->d.nlines : 1;
	if (!p->d.patch_path)
		return parse_fail(p, -ULP_E_DESCRIPTION,
				  "no patch object; the first line must be the path of the patch .so");
	if (p->d.npairs == 0)
		return parse_fail(p, -ULP_E_DESCRIPTION,
				  "no function to replace; add a line 'old_function:new_function'");
	return 0;
}

int description_parse(const char *file, const char *text, size_t len, struct description *ret_d, struct diag *err)
{
	struct parser p = { .d = DESCRIPTION_INIT, .err = err };
	char *copy = NULL;
	int r = -ENOMEM;
	p.d.file = strdup(file);
	copy = malloc(len + 1);
	if (!p.d.file || !copy)
		goto out;
	memcpy(copy, text, len);
	copy[len] = '\0';

	char *next;
	for (char *s = copy; s < copy + len; s = next) {
		char *nl = memchr(s, '\n', (size_t)(copy + len - s));
		next = nl ? nl + 1 : copy + len;
		if (nl)
			*nl = '\0';
		p.line = ++p.d.nlines;
		r = strlen(s) != (size_t)(next - s - (nl != NULL))
			    ? parse_fail(&p, -ULP_E_DESCRIPTION, "NUL byte in the line; a description is text")
			    : line_parse(&p, s);
		if (r < 0)
			goto out;
	}
	r = parse_finish(&p);
	if (r < 0)
		goto out;
	*ret_d = p.d;
	p.d = (struct description)DESCRIPTION_INIT;
out:
	if (r == -ENOMEM)
		diag_set(err, r, "%s: out of memory", file);
	free(copy);
	description_release(&p.d);
	return r;
}

int description_read(const char *path, struct description *ret_d, struct diag *err)
{
	char *text = NULL;
	size_t len = 0;
	int r = 0;
	FILE *f = fopen(path, "re");
	if (!f) {
		int e = errno;
		return diag_set(err, -e, "cannot read description '%s': %s", path, strerror(e));
	}
	for (;;) {
		char *grown = realloc(text, len + 4096);
		if (!grown) {
			r = diag_set(err, -ENOMEM, "%s: out of memory", path);
			goto out;
		}
		text = grown;
		size_t n = fread(text + len, 1, 4096, f);
		len += n;
		if (n < 4096)
			break;
	}
	if (ferror(f)) {
		r = diag_set(err, -EIO, "cannot read description '%s': %s", path, strerror(EIO));
		goto out;
	}
	r = description_parse(path, text, len, ret_d, err);
out:
	free(text);
	fclose(f);
	return r;
}

void description_release(struct description *d)
{
	for (size_t i = 0; i < d->npairs; i++) {
		free(d->pairs[i].old_name);
		free(d->pairs[i].new_name);
	}
	for (size_t i = 0; i < d->ncomments; i++)
		free(d->comments[i]);
	for (size_t i = 0; i < d->nrefs; i++) {
		free(d->refs[i].target_sym);
		free(d->refs[i].patch_sym);
	}
	free(d->refs);
	free(d->pairs);
	free(d->comments);
	free(d->patch_path);
	free(d->target_path);
	free(d->file);
	*d = (struct description)DESCRIPTION_INIT;
}
