/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleet.h - one patch, many processes, several at a time.
 */
#ifndef ULP_FLEET_H
#define ULP_FLEET_H

#include <stddef.h>
#include <sys/types.h>

#include "ulp/patch.h"
#include "ulp/progress.h"

/* The most workers at once (ulp trigger -j N). */
#define FLEET_MAX_JOBS 256

/**
 * fleet_trigger() - patch_trigger() for each of @pids, with up to @jobs
 * worker processes at once (each the ptrace tracer of its own targets),
 * so that one target's runtime call overlaps the work on another.
 * @reps[i] receives the report for @pids[i].  A worker that dies leaves
 * failed reports for the processes it had not reported.  @progress
 * (may be NULL) is told of each process as its report arrives.
 */
void fleet_trigger(const pid_t *pids, size_t n, const struct patch_file *pf, const struct trigger_opts *o,
		   unsigned jobs, struct trigger_report *reps, struct progress *progress);

#endif
