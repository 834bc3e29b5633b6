/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor.c - the least a stop-the-world switch can cost: stop every thread
 * of a process with ptrace and let them go again, with nothing in between.
 * The pause benchmark measures it on the same target, in the same run, as
 * the reference for ulp's pause.
 *
 *   PTRACE_SEIZE every thread (nothing stops yet)
 *   PTRACE_INTERRUPT every thread          <- the pause starts
 *   waitpid every thread until it is stopped
 *   PTRACE_DETACH every thread             <- the pause ends
 *
 * Threads are taken in thread id order, as ulp takes them.
 *
 * With @fifo, the caller runs SCHED_FIFO from the moment every thread is
 * stopped until the last is released, as ulp does (when permitted): on a
 * small machine the first threads released would otherwise preempt it
 * before it has released the others, and the floor would measure the
 * scheduler more than ptrace.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "bench.h"

#define MAX_TIDS     4096
#define STOP_WAIT_NS (1000 * 1000000ull)

static int tasks_list(pid_t pid, pid_t *tids, size_t max, size_t *ret_n)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < max) {
		pid_t tid = (pid_t)atoi(de->d_name);
		if (tid > 0)
			tids[n++] = tid;
	}
	closedir(d);
	*ret_n = n;
	return 0;
}

static int tid_cmp(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/* Bounded: a thread that is exiting may never stop. */
static int thread_wait_stopped(pid_t tid)
{
	uint64_t deadline = now_ns() + STOP_WAIT_NS;
	int status;
	for (;;) {
		pid_t w = waitpid(tid, &status, __WALL | WNOHANG);
		if (w == tid)
			return WIFSTOPPED(status) ? 0 : -ESRCH;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		sched_yield();
	}
}

/* SCHED_FIFO for the caller; return the policy to go back to, or -1. */
static int fifo_enter(struct sched_param *ret_saved)
{
	struct sched_param fifo = { .sched_priority = 1 };
	int policy = sched_getscheduler(0);
	if (policy < 0 || sched_getparam(0, ret_saved) < 0 || sched_setscheduler(0, SCHED_FIFO, &fifo) < 0)
		return -1;
	return policy;
}

int floor_stop_resume(pid_t pid, bool fifo, uint64_t *ret_ns)
{
	struct sched_param saved;
	int policy = -1;
	static pid_t tids[MAX_TIDS];
	size_t n = 0, seized = 0;
	int r = tasks_list(pid, tids, MAX_TIDS, &n);
	if (r < 0)
		return r;
	qsort(tids, n, sizeof(tids[0]), tid_cmp);
	for (; seized < n; seized++)
		if (ptrace(PTRACE_SEIZE, tids[seized], NULL, NULL) < 0) {
			r = -errno;
			break;
		}

	uint64_t t0 = now_ns();
	for (size_t i = 0; r == 0 && i < seized; i++)
		if (ptrace(PTRACE_INTERRUPT, tids[i], NULL, NULL) < 0)
			r = -errno;
	for (size_t i = 0; r == 0 && i < seized; i++)
		r = thread_wait_stopped(tids[i]);
	if (r == 0 && fifo && (policy = fifo_enter(&saved)) < 0)
		r = -EPERM;
	/* after an error, some threads may still run: stop them for the detach */
	for (size_t i = 0; i < seized; i++)
		if (ptrace(PTRACE_DETACH, tids[i], NULL, NULL) < 0) {
			ptrace(PTRACE_INTERRUPT, tids[i], NULL, NULL);
			thread_wait_stopped(tids[i]);
			ptrace(PTRACE_DETACH, tids[i], NULL, NULL);
		}
	*ret_ns = now_ns() - t0;
	if (policy >= 0)
		sched_setscheduler(0, policy, &saved);
	if (r < 0)
		fprintf(stderr, "ulp-bench: the stop-and-resume floor failed on process %d: %s\n", pid, strerror(-r));
	return r;
}
