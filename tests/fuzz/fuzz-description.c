/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-description.c - libFuzzer target for the .dsc parser
 * (packer/description.c): description_parse() on arbitrary bytes.
 *
 * Besides what ASan and UBSan catch, every input is held to the parser's
 * contract (description.h), and a breach aborts, which libFuzzer reports
 * as a crash:
 *   - it returns 0, -ULP_E_DESCRIPTION or -ENOMEM, nothing else;
 *   - an error names the file and a line that exists: "FILE:LINE: ...";
 *   - what it accepts has a patch path, at least one pair, names that are
 *     non-empty without white space, no function replaced twice, no patch
 *     variable set twice, and line numbers inside the text;
 *   - the offsets of a reference are the numbers its line writes (read
 *     again here from the text), so none is accepted that does not fit.
 * description_release() then runs twice (it must be safe on a released
 * description).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/ulp-errors.h"
#include "packer/description.h"

#define FILE_NAME "fuzz.dsc"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the parser: stop here so libFuzzer keeps the input. */
#define require(cond)                                                                      \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: broken: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

static bool name_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return false;
	return true;
}

/* The hex number @s (with or without "0x"); false if it needs more than
 * 64 bits. */
static bool hex_value(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		if (v >> 60)
			return false;
		v = v << 4 | (uint64_t)(isdigit((unsigned char)*s) ? *s - '0' : tolower((unsigned char)*s) - 'a' + 10);
	}
	*ret = v;
	return true;
}

/* The offsets "#sym:ref:TOFF:POFF" on line @line of @text, as written. */
static void check_offsets(const char *text, size_t len, const struct dsc_ref *r)
{
	const char *s = text, *end = text + len;
	for (unsigned l = 1; l < r->line; l++)
		s = (const char *)memchr(s, '\n', (size_t)(end - s)) + 1;
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	char *line = strndup(s, (size_t)((nl ? nl : end) - s));
	require(line);
	size_t n = strlen(line);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	char *toff = strchr(strchr(line, ':') + 1, ':') + 1, *poff = strchr(toff, ':') + 1;
	poff[-1] = '\0';
	uint64_t t, p;
	require(hex_value(toff, &t) && t == r->target_off);
	require(hex_value(poff, &p) && p == r->patch_off);
	free(line);
}

static void check_accepted(const struct description *d, const char *text, size_t len, unsigned nlines)
{
	require(d->file && strcmp(d->file, FILE_NAME) == 0);
	require(d->nlines == nlines);
	require(d->patch_path && *d->patch_path && d->patch_line >= 1 && d->patch_line <= nlines);
	require(!d->target_path || (*d->target_path && d->target_line >= 1 && d->target_line <= nlines));
	require(d->npairs >= 1 && d->pairs);
	for (size_t i = 0; i < d->npairs; i++) {
		const struct dsc_pair *p = &d->pairs[i];
		require(name_ok(p->old_name) && name_ok(p->new_name));
		require(p->line > d->patch_line && p->line <= nlines);
		for (size_t j = 0; j < i; j++)
			require(strcmp(d->pairs[j].old_name, p->old_name) != 0);
	}
	for (size_t i = 0; i < d->nrefs; i++) {
		const struct dsc_ref *r = &d->refs[i];
		require(name_ok(r->target_sym) && name_ok(r->patch_sym));
		require(r->has_offsets || (r->target_off == 0 && r->patch_off == 0));
		require(r->line > d->patch_line && r->line <= nlines);
		if (r->has_offsets)
			check_offsets(text, len, r);
		for (size_t j = 0; j < i; j++)
			require(strcmp(d->refs[j].patch_sym, r->patch_sym) != 0);
	}
	for (size_t i = 0; i < d->ncomments; i++)
		require(d->comments[i] != NULL);
}

/* "fuzz.dsc:LINE: text" with 1 <= LINE <= @nlines (1 for empty input). */
static void check_refused(int r, const char *msg, unsigned nlines)
{
	require(r == -ULP_E_DESCRIPTION || r == -ENOMEM);
	if (r == -ENOMEM) {
		require(strcmp(msg, FILE_NAME ": out of memory") == 0);
		return;
	}
	unsigned line = 0;
	int end = 0;
	require(sscanf(msg, FILE_NAME ":%u: %n", &line, &end) == 1 && end > 0);
	require(line >= 1 && line <= (nlines ? nlines : 1));
	require(msg[end] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct description d = DESCRIPTION_INIT;
	struct diag err = DIAG_INIT;
	/* Lines as the parser counts them: a last line needs no newline. */
	unsigned nlines = 0;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n' || i == size - 1)
			nlines++;

	int r = description_parse(FILE_NAME, (const char *)data, size, &d, &err);
	if (r == 0)
		check_accepted(&d, (const char *)data, size, nlines);
	else
		check_refused(r, err.msg, nlines);
	description_release(&d);
	description_release(&d);
	return 0;
}
