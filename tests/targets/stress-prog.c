/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stress-prog.c - 8 threads call stress_value() in a tight loop while the
 * main thread answers commands:
 *
 *   expect V -> "ok" once every thread made a fresh call (one that started
 *               after the command) and it returned V, else
 *               "bad thread T got X want V" or "bad timeout thread T"
 *   stats    -> "stats calls C errors E old O new N"
 *               (errors: calls that returned neither STRESS_OLD nor STRESS_NEW)
 *   quit     -> "bye", exits
 *
 * Usage: stress-prog [SPIN] - SPIN iterations of idle work between calls
 * (default 0: as tight as it gets).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "libs.h"

#define NTHREADS	  8
#define EXPECT_TIMEOUT_MS 5000

/* One per thread, on its own cache line.  The counters are written by the
 * worker only and read by the main thread: atomics, relaxed. */
struct worker {
	pthread_t thread;
	unsigned long calls, errors, olds, news;
	int req; /* set by main; the worker's next call reports into seen */
	int seen;
} __attribute__((aligned(64)));

static struct worker workers[NTHREADS];
static int spin_work;

static void counter_inc(unsigned long *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		/* read the request before the call: the call then starts after it */
		int want = __atomic_load_n(&w->req, __ATOMIC_ACQUIRE);
		int v = stress_value();

		counter_inc(&w->calls);
		if (v == STRESS_OLD)
			counter_inc(&w->olds);
		else if (v == STRESS_NEW)
			counter_inc(&w->news);
		else
			counter_inc(&w->errors);
		if (want) {
			w->seen = v;
			__atomic_store_n(&w->req, 0, __ATOMIC_RELEASE);
		}
		for (volatile int i = 0; i < spin_work; i++)
			;
	}
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void do_expect(int want)
{
	int t;

	for (t = 0; t < NTHREADS; t++)
		__atomic_store_n(&workers[t].req, 1, __ATOMIC_RELEASE);
	for (t = 0; t < NTHREADS; t++) {
		int waited = 0;

		while (__atomic_load_n(&workers[t].req, __ATOMIC_ACQUIRE) && waited < EXPECT_TIMEOUT_MS) {
			sleep_ms(1);
			waited++;
		}
		if (__atomic_load_n(&workers[t].req, __ATOMIC_ACQUIRE)) {
			say("bad timeout thread %d", t);
			return;
		}
	}
	for (t = 0; t < NTHREADS; t++)
		if (workers[t].seen != want) {
			say("bad thread %d got %d want %d", t, workers[t].seen, want);
			return;
		}
	say("ok");
}

static void do_stats(void)
{
	unsigned long calls = 0, errors = 0, olds = 0, news = 0;

	for (int t = 0; t < NTHREADS; t++) {
		calls += __atomic_load_n(&workers[t].calls, __ATOMIC_RELAXED);
		errors += __atomic_load_n(&workers[t].errors, __ATOMIC_RELAXED);
		olds += __atomic_load_n(&workers[t].olds, __ATOMIC_RELAXED);
		news += __atomic_load_n(&workers[t].news, __ATOMIC_RELAXED);
	}
	say("stats calls %lu errors %lu old %lu new %lu", calls, errors, olds, news);
}

int main(int argc, char **argv)
{
	struct cmd_reader r = CMD_READER_INIT;
	char *line, word[32];
	int n;

	cmd_setup();
	if (argc > 1)
		spin_work = atoi(argv[1]);
	for (int t = 0; t < NTHREADS; t++)
		if (pthread_create(&workers[t].thread, NULL, worker_run, &workers[t]) != 0) {
			say("ERR pthread_create failed");
			return 1;
		}
	say("ready");
	while ((line = cmd_read_line(&r))) {
		n = 0;
		if (sscanf(line, "%31s %d", word, &n) < 1)
			continue;
		if (strcmp(word, "expect") == 0)
			do_expect(n);
		else if (strcmp(word, "stats") == 0)
			do_stats();
		else if (strcmp(word, "quit") == 0)
			break;
		else
			say("ERR unknown command '%s'", word);
	}
	say("bye");
	exit(0);
}
