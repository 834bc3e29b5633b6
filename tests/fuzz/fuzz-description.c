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
 *     variable set twice, and line numbers inside the text.
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

static void check_accepted(const struct description *d, unsigned nlines)
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
		check_accepted(&d, nlines);
	else
		check_refused(r, err.msg, nlines);
	description_release(&d);
	description_release(&d);
	return 0;
}
