/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * progress.h - one line on standard error that a fleet trigger rewrites
 * as processes are done, when someone is watching: standard error is a
 * terminal, more than a handful of processes, neither -q nor -v (whose
 * lines would cut through it).  Erased before the report is printed.
 */
#ifndef ULP_PROGRESS_H
#define ULP_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ulp/patch.h"

struct progress {
	bool on;
	const char *what; /* "patching", "reverting", "rolling back" */
	size_t pass, passes;
	size_t done, total;
	unsigned patched, skipped, failed;
	uint64_t shown_us; /* when the line was last drawn */
};

/* progress_begin() - a pass of @total processes; @p->on decides whether
 * anything is shown, once for the run (progress_wanted()). */
void progress_begin(struct progress *p, const char *what, size_t pass, size_t passes, size_t total);
bool progress_wanted(size_t processes);
/* progress_step() - one process done; redraws at most ten times a second. */
void progress_step(struct progress *p, enum trigger_outcome outcome);
/* progress_end() - draw the final count and erase the line. */
void progress_end(struct progress *p);

#endif
