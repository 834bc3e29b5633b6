/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleet.c - patching many processes in parallel.
 *
 * Most of a trigger is waiting: for a target's borrowed thread to finish
 * its call, for threads to stop.  Workers, forked after the patch file is
 * read, take every jobs-th process each and send back fixed-size records
 * (index, report) through a pipe of their own; the parent collects them.
 * Records are smaller than PIPE_BUF, so each arrives whole.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libpulp/ulp-errors.h"
#include "ulp/fleet.h"
#include "ulp/interrupt.h"
#include "ulp/progress.h"

struct fleet_record {
	size_t index;
	struct trigger_report rep;
};

_Static_assert(sizeof(struct fleet_record) <= PIPE_BUF, "a record must arrive in one piece");

static void worker_run(int fd, unsigned k, unsigned jobs, const pid_t *pids, size_t n, const struct patch_file *pf,
		       const struct trigger_opts *o)
{
	for (size_t i = k; i < n; i += jobs) {
		struct fleet_record rec = { .index = i };
		patch_trigger(pids[i], pf, o, &rec.rep);
		if (write(fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
			break;
	}
	close(fd);
	_exit(0);
}

/*
 * Read the workers' records as they come, from whichever worker has one,
 * until every pipe is closed.
 */
static void workers_collect(int *fds, unsigned jobs, struct trigger_report *reps, size_t n, bool *seen,
			    struct progress *progress)
{
	struct pollfd pfd[FLEET_MAX_JOBS];
	unsigned open = 0;
	for (unsigned k = 0; k < jobs; k++) {
		pfd[k] = (struct pollfd){ .fd = fds[k], .events = POLLIN };
		open += fds[k] >= 0;
	}
	while (open > 0) {
		if (poll(pfd, jobs, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (unsigned k = 0; k < jobs; k++) {
			if (pfd[k].fd < 0 || !pfd[k].revents)
				continue;
			struct fleet_record rec;
			ssize_t r = read(pfd[k].fd, &rec, sizeof(rec));
			if (r < 0 && errno == EINTR)
				continue;
			if (r == (ssize_t)sizeof(rec) && rec.index < n) {
				reps[rec.index] = rec.rep;
				seen[rec.index] = true;
				progress_step(progress, rec.rep.outcome);
				continue;
			}
			/* the end, or a record cut short: the worker is done */
			pfd[k].fd = -1;
			open--;
		}
	}
}

static void sequential(const pid_t *pids, size_t n, const struct patch_file *pf, const struct trigger_opts *o,
		       struct trigger_report *reps, struct progress *progress)
{
	for (size_t i = 0; i < n; i++) {
		patch_trigger(pids[i], pf, o, &reps[i]);
		progress_step(progress, reps[i].outcome);
	}
}

void fleet_trigger(const pid_t *pids, size_t n, const struct patch_file *pf, const struct trigger_opts *o,
		   unsigned jobs, struct trigger_report *reps, struct progress *progress)
{
	struct progress none = { .on = false };
	if (!progress)
		progress = &none;
	if (jobs > n)
		jobs = (unsigned)n;
	if (jobs > FLEET_MAX_JOBS)
		jobs = FLEET_MAX_JOBS;
	if (jobs <= 1)
		return sequential(pids, n, pf, o, reps, progress);

	bool *seen = calloc(n, sizeof(*seen));
	pid_t *workers = calloc(jobs, sizeof(*workers));
	int *fds = calloc(jobs, sizeof(*fds));
	if (!seen || !workers || !fds) {
		free(seen), free(workers), free(fds);
		return sequential(pids, n, pf, o, reps, progress);
	}
	/* What every worker would read from the same files, read once. */
	patch_warm(pids[0], pf);
	fflush(NULL); /* nothing buffered may be written twice */
	for (unsigned k = 0; k < jobs; k++) {
		int p[2];
		fds[k] = -1;
		if (pipe(p) < 0)
			continue;
		workers[k] = fork();
		if (workers[k] == 0) {
			close(p[0]);
			worker_run(p[1], k, jobs, pids, n, pf, o);
		}
		close(p[1]);
		fds[k] = workers[k] > 0 ? p[0] : (close(p[0]), -1);
	}
	/* A signal sent to ulp alone (kill PID) reaches every worker too. */
	interrupt_forward_to(workers, jobs);
	workers_collect(fds, jobs, reps, n, seen, progress);
	for (unsigned k = 0; k < jobs; k++) {
		if (fds[k] >= 0)
			close(fds[k]);
		if (workers[k] > 0) {
			interrupt_forward_remove(workers[k]);
			waitpid(workers[k], NULL, 0);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i]) {
			reps[i] = (struct trigger_report){ .outcome = OUTCOME_FAILED, .code = -ECHILD };
			snprintf(reps[i].msg, sizeof(reps[i].msg),
				 "the worker handling process %d died; check the process with 'ulp check'", pids[i]);
		}
	free(seen);
	free(workers);
	free(fds);
}
