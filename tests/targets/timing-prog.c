/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timing-prog.c - how long does the process stand still while it is
 * patched?  Worker threads loop reading CLOCK_MONOTONIC (and calling
 * timing_value(), the function the measurement patches) and record the
 * largest gap between two consecutive readings.
 *
 *   gap   -> "gap_us G calls C": the largest gap since the last "gap" (the
 *            counter restarts), and the value timing_value(1) returns now
 *   quit  -> "bye"
 *
 * Usage: timing-prog [THREADS] (default: number of CPUs - 1, at least 1,
 * so that the loops are not preempted by each other).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "libs.h"

#define MAX_THREADS 64

static uint64_t max_gap_ns; /* shared; threads raise it, "gap" resets it */
static uint64_t calls;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void gap_raise(uint64_t gap)
{
	uint64_t cur = __atomic_load_n(&max_gap_ns, __ATOMIC_RELAXED);

	while (gap > cur && !__atomic_compare_exchange_n(&max_gap_ns, &cur, gap, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void *worker_run(void *arg)
{
	uint64_t last = now_ns(), ncalls = 0;
	int sink = 0;

	(void)arg;
	for (;;) {
		uint64_t t = now_ns();

		sink += timing_value((int)(t & 7));
		if (t - last > __atomic_load_n(&max_gap_ns, __ATOMIC_RELAXED))
			gap_raise(t - last);
		last = t;
		if ((++ncalls & 0xffff) == 0)
			__atomic_fetch_add(&calls, 0x10000, __ATOMIC_RELAXED);
	}
	return (void *)(intptr_t)sink;
}

int main(int argc, char **argv)
{
	struct cmd_reader r = CMD_READER_INIT;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = ncpu > 1 ? (int)ncpu - 1 : 1;
	pthread_t th;
	char *line;

	cmd_setup();
	if (argc > 1)
		nthreads = atoi(argv[1]);
	if (nthreads < 1 || nthreads > MAX_THREADS)
		nthreads = 1;
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&th, NULL, worker_run, NULL) != 0) {
			say("ERR pthread_create failed");
			return 1;
		}
	say("ready threads %d", nthreads);
	while ((line = cmd_read_line(&r))) {
		if (strcmp(line, "gap") == 0) {
			uint64_t g = __atomic_exchange_n(&max_gap_ns, 0, __ATOMIC_RELAXED);

			say("gap_us %llu calls %llu value %d", (unsigned long long)(g / 1000),
			    (unsigned long long)__atomic_load_n(&calls, __ATOMIC_RELAXED), timing_value(1));
		} else if (strcmp(line, "quit") == 0) {
			break;
		} else if (line[0]) {
			say("ERR unknown command '%s'", line);
		}
	}
	say("bye");
	exit(0);
}
