/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spin-prog.c - the target of the pause benchmark: how long is a thread of
 * this process stopped while it is patched, seen from inside?
 *
 * A spinning thread reads CLOCK_MONOTONIC in a tight loop.  A gap of more
 * than GAP_MIN_NS between two readings means the thread did not run; its
 * context switch counters say why.  A ptrace stop is a sleep (the thread
 * schedules out in TASK_TRACED), so it counts as a voluntary switch; an
 * interrupt, the hypervisor or preemption by another thread do not.  Only
 * the gaps with a voluntary switch count as stopped, so a busy machine
 * does not pass for a long pause.  The largest other gap is reported as
 * noise.
 *
 * Usage: spin-prog THREADS   (every thread of the process, main included)
 *   THREADS = 1: the main thread spins, and polls stdin for commands every
 *     POLL_EVERY readings.  The process has one thread: the one ulp borrows
 *     to load the patch, so the load is part of what it feels.
 *   THREADS > 1: the main thread reads commands (blocked in read(2): the
 *     thread ulp borrows, not observed); THREADS - 2 workers wait on a
 *     condition variable that is never signalled, as the idle threads of
 *     a server do; the last thread created spins.  Last: ulp and the floor
 *     stop threads in thread id order and resume them in the same order,
 *     and resuming a thread costs more than asking it to stop, so the
 *     newest thread is the one stopped longest.  One spinner: on a small
 *     machine a second one would compete with ulp for a CPU.
 *
 * Commands (one answer line each):
 *   reset -> "ok"                 forget the gaps seen so far
 *   gaps  -> "gaps max_ns M sum_ns S n N noise_ns X"
 *            the longest stopped gap, their sum, their number, the longest
 *            other gap, since the last reset
 *   value -> "value V"            wide_f0000(1): 2, patched -2
 *   quit  -> "bye"
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench-libs.h"
#include "cmd.h"

#define GAP_MIN_NS  5000
#define POLL_EVERY  1024
#define MAX_THREADS 1024
#define ACK_WAIT_NS (2 * 1000000000ull)

struct gap_stats {
	uint64_t max_ns, sum_ns, n, noise_ns;
};

struct spinner {
	struct gap_stats st;	    /* written by the spinning thread only */
	struct gap_stats published; /* a copy, made on request */
	long nvcsw;		    /* voluntary switches counted so far */
	unsigned seen;		    /* last request served */
	unsigned ack;		    /* = seen, for the main thread (atomic) */
	uint64_t last;		    /* time of the last reading */
};

enum request { REQ_RESET, REQ_PUBLISH };

static unsigned req;	      /* bumped by the main thread (atomic) */
static enum request req_kind; /* what the bump asks, set before it */
static struct spinner the_spinner;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long voluntary_switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw;
}

/*
 * A reading @t after the previous one: note a gap, if it is one.  The
 * system call that classifies it counts as running time in the next gap
 * (about a microsecond): the thread may be stopped in that very call - a
 * stop is entered on the way back from it - and the stop must not be lost.
 * The count read before such a stop then differs from the next one, which
 * classifies the next gap, the one holding the stop, as stopped.
 */
static void spinner_tick(struct spinner *sp, uint64_t t)
{
	uint64_t gap = t - sp->last;

	sp->last = t;
	if (gap <= GAP_MIN_NS)
		return;
	long v = voluntary_switches();
	if (v != sp->nvcsw) {
		sp->nvcsw = v;
		sp->st.n++;
		sp->st.sum_ns += gap;
		if (gap > sp->st.max_ns)
			sp->st.max_ns = gap;
	} else if (gap > sp->st.noise_ns) {
		sp->st.noise_ns = gap;
	}
}

static void spinner_serve(struct spinner *sp, unsigned r)
{
	/* A stop just before the request was read has not been seen yet. */
	spinner_tick(sp, now_ns());
	if (req_kind == REQ_RESET)
		sp->st = (struct gap_stats){ 0 };
	else
		sp->published = sp->st;
	sp->seen = r;
	/* before the answer: a stop right after it must count in full */
	sp->last = now_ns();
	__atomic_store_n(&sp->ack, r, __ATOMIC_RELEASE);
}

/*
 * The spinner runs on the last CPU, and the benchmark keeps the controller
 * (ulp, or its own floor) on the others (pause.c): sharing a CPU, the
 * spinner released by the controller would preempt it for milliseconds
 * before it could release anything else.
 */
static void spinner_pin(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(ncpu > 1 ? (int)ncpu - 1 : 0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void spinner_init(struct spinner *sp)
{
	spinner_pin();
	sp->nvcsw = voluntary_switches();
	sp->last = now_ns();
}

static void *spinner_run(void *arg)
{
	struct spinner *sp = arg;

	spinner_init(sp);
	for (;;) {
		spinner_tick(sp, now_ns());
		unsigned r = __atomic_load_n(&req, __ATOMIC_ACQUIRE);
		if (r != sp->seen)
			spinner_serve(sp, r);
	}
	return NULL;
}

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;

static void *idle_run(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&idle_lock);
	for (;;)
		pthread_cond_wait(&idle_cond, &idle_lock);
	return NULL;
}

/* Main thread, THREADS > 1: have the spinner do @kind; bounded wait. */
static int spinner_request(enum request kind)
{
	unsigned r = req + 1;
	uint64_t deadline = now_ns() + ACK_WAIT_NS;
	struct timespec nap = { 0, 20000 };

	req_kind = kind;
	__atomic_store_n(&req, r, __ATOMIC_RELEASE);
	while (__atomic_load_n(&the_spinner.ack, __ATOMIC_ACQUIRE) != r) {
		if (now_ns() > deadline)
			return -1;
		nanosleep(&nap, NULL);
	}
	return 0;
}

static void gaps_say(const struct gap_stats *g)
{
	say("gaps max_ns %llu sum_ns %llu n %llu noise_ns %llu", (unsigned long long)g->max_ns,
	    (unsigned long long)g->sum_ns, (unsigned long long)g->n, (unsigned long long)g->noise_ns);
}

/* One command; @self: the main thread is the spinner.  Return 0 to quit. */
static int command_run(const char *line, bool self)
{
	if (strcmp(line, "reset") == 0) {
		if (self) {
			the_spinner.st = (struct gap_stats){ 0 };
			the_spinner.last = now_ns();
		}
		if (!self && spinner_request(REQ_RESET) < 0)
			say("ERR the spinning thread does not answer");
		else
			say("ok");
	} else if (strcmp(line, "gaps") == 0) {
		if (self)
			gaps_say(&the_spinner.st);
		else if (spinner_request(REQ_PUBLISH) < 0)
			say("ERR the spinning thread does not answer");
		else
			gaps_say(&the_spinner.published);
	} else if (strcmp(line, "value") == 0) {
		say("value %d", wide_f0000(1));
	} else if (strcmp(line, "quit") == 0) {
		return 0;
	} else if (line[0]) {
		say("ERR unknown command '%s'", line);
	}
	return 1;
}

/* THREADS = 1: spin, and look for a command now and then. */
static void main_spin(void)
{
	struct cmd_reader r = CMD_READER_INIT;
	struct spinner *sp = &the_spinner;

	spinner_init(sp);
	say("ready threads 1");
	for (unsigned i = 0;; i++) {
		spinner_tick(sp, now_ns());
		if (i % POLL_EVERY)
			continue;
		int eof;
		char *line = cmd_poll_line(&r, &eof);
		if (eof)
			break;
		if (!line)
			continue;
		/* a stop just before the command arrived has not been seen yet;
		 * a stop right after the answer must count in full, so the
		 * time of the answer counts as running (a reset sets last) */
		spinner_tick(sp, now_ns());
		if (!command_run(line, true))
			break;
	}
}

static void main_serve(void)
{
	struct cmd_reader r = CMD_READER_INIT;
	char *line;

	while ((line = cmd_read_line(&r)))
		if (!command_run(line, false))
			break;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 1;
	pthread_t th;

	cmd_setup();
	if (nthreads < 1 || nthreads > MAX_THREADS) {
		say("ERR threads: 1 to %d", MAX_THREADS);
		return 2;
	}
	if (nthreads == 1) {
		main_spin();
		say("bye");
		return 0;
	}
	/* the spinner last: thread ids grow in the order of creation */
	for (int i = 2; i < nthreads; i++)
		if (pthread_create(&th, NULL, idle_run, NULL) != 0) {
			say("ERR pthread_create failed");
			return 1;
		}
	if (pthread_create(&th, NULL, spinner_run, &the_spinner) != 0) {
		say("ERR pthread_create failed");
		return 1;
	}
	say("ready threads %d", nthreads);
	main_serve();
	say("bye");
	exit(0);
}
