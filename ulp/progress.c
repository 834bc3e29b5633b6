/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * progress.c - the fleet trigger's progress line (see progress.h).
 */
#include <stdio.h>
#include <unistd.h>

#include "ulp/attach.h"
#include "ulp/log.h"
#include "ulp/progress.h"

/* More processes than this, and the line is worth showing. */
#define PROGRESS_MIN	  8
#define PROGRESS_EVERY_US 100000

bool progress_wanted(size_t processes)
{
	return processes > PROGRESS_MIN && log_level == LOG_NORMAL && isatty(STDERR_FILENO);
}

static void draw(struct progress *p)
{
	char pass[64] = "";
	if (p->passes > 1)
		snprintf(pass, sizeof(pass), " (patch %zu of %zu)", p->pass + 1, p->passes);
	/* \r and erase-to-end: the line is drawn over itself */
	fprintf(stderr, "\r\033[Kulp: %s%s: %zu/%zu processes, %u patched, %u skipped, %u failed", p->what, pass,
		p->done, p->total, p->patched, p->skipped, p->failed);
	fflush(stderr);
	p->shown_us = clock_us();
}

void progress_begin(struct progress *p, const char *what, size_t pass, size_t passes, size_t total)
{
	p->what = what;
	p->pass = pass;
	p->passes = passes;
	p->total = total;
	p->done = p->patched = p->skipped = p->failed = 0;
	if (p->on)
		draw(p);
}

void progress_step(struct progress *p, enum trigger_outcome outcome)
{
	p->done++;
	p->patched += outcome == OUTCOME_PATCHED;
	p->skipped += outcome == OUTCOME_SKIPPED;
	p->failed += outcome == OUTCOME_FAILED || outcome == OUTCOME_INCONSISTENT;
	if (p->on && clock_us() - p->shown_us >= PROGRESS_EVERY_US)
		draw(p);
}

void progress_end(struct progress *p)
{
	if (!p->on)
		return;
	draw(p);
	fputs("\r\033[K", stderr);
	fflush(stderr);
}
