/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * locks-prog.c - 16 threads keep taking the locks that loading a live
 * patch needs too.  Each loop of a thread:
 *
 *   - calls locks_value() (the function the test patches; it allocates
 *     inside its body) and records what it returned;
 *   - mallocs, reallocs and frees blocks of varied sizes, some large
 *     enough to be mmap()ed, checking that realloc kept their contents;
 *   - every --dl-every loops, dlopen()s liblocksdl.so, calls it and
 *     dlclose()s it;
 *   - every --fork-every loops, forks a child that _exit()s at once or
 *     execs /bin/true, and waits for it (it must exit with status 0).
 *
 * With --gate, instead: one thread calls locks_wait() (patched too),
 * which spins GATE_SPIN_US in its body and then waits for a mutex that
 * another thread holds most of the time, and sleeps GATE_OUT_US between
 * calls.  A stop often finds it spinning inside: let run out alone, it
 * then waits for the mutex that a stopped thread holds, and must be given
 * back when the run-out gives up.
 *
 * The main thread answers commands:
 *   expect V -> "ok" once every thread made a fresh call of locks_value()
 *               (locks_wait() with --gate), one that started after the
 *               command, and it returned V, else "bad thread T got X
 *               want V" or "bad timeout thread T"
 *   stats    -> "stats calls C errors E old O new N allocs A dlopens D
 *               forks F failures X" (errors: calls that returned neither
 *               LOCKS_OLD nor LOCKS_NEW; failures: an allocation, dlopen,
 *               dlsym, fork or child that went wrong)
 *   why      -> "why TEXT": the first failure, or "why none"
 *   quit     -> the threads finish their loop and are joined; "bye"
 *
 * Usage: locks-prog [--gate] [--pause-us N] [--dl-every N] [--fork-every N]
 * (defaults: no pause at the end of a loop, dlopen every 16th loop, fork
 * every 32nd: more often, and most threads just queue for the loader's
 * lock).
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "locks-churn.h"

#define NTHREADS	  16
#define NSLOTS		  8
#define GATE_SPIN_US	  1500
#define GATE_HOLD_US	  4000
#define GATE_FREE_US	  1000
#define GATE_OUT_US	  3000
#define EXPECT_TIMEOUT_MS 5000
/* Above this, glibc serves an allocation with its own mmap(); fixed, so
 * that glibc does not raise it as large blocks are freed. */
#define MMAP_THRESHOLD (128 * 1024)

struct worker {
	pthread_t thread;
	int index;
	uint64_t rng;
	unsigned long calls, errors, olds, news, allocs, dlopens, forks;
	int req; /* set by main; the worker's next call reports into seen */
	int seen;
	unsigned char *slot[NSLOTS];
	size_t slot_len[NSLOTS];
} __attribute__((aligned(64)));

static struct worker workers[NTHREADS];
static int nworkers = NTHREADS;
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static long pause_us;
static unsigned long dl_every = 16, fork_every = 32;
static int stopping;
static char dl_path[PATH_MAX];
static unsigned long failures;
static char first_failure[256];
static int failure_taken;

static void counter_inc(unsigned long *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

/* Count a failure; the first one's text is kept for "why". */
static void failure(struct worker *w, const char *what, long detail)
{
	__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&failure_taken, 1, __ATOMIC_ACQ_REL) == 0)
		snprintf(first_failure, sizeof(first_failure), "thread %d: %s (%ld)", w->index, what, detail);
}

static uint64_t rng_next(struct worker *w)
{
	/* xorshift64: cheap, no lock, no shared state */
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

/* Mostly small, some medium, one in ten large enough to be mmap()ed. */
static size_t size_pick(struct worker *w)
{
	uint64_t r = rng_next(w);
	unsigned kind = (unsigned)(r % 10);
	r >>= 8;
	if (kind < 7)
		return 16 + r % 1024;
	if (kind < 9)
		return 4096 + r % (64 * 1024);
	return MMAP_THRESHOLD * 2 + r % (768 * 1024);
}

/* One operation on one slot: allocate, grow or shrink, or free. */
static void slot_churn(struct worker *w)
{
	unsigned i = (unsigned)(rng_next(w) % NSLOTS);
	unsigned char tag = (unsigned char)(w->index * NSLOTS + i + 1);
	size_t len = size_pick(w);

	if (!w->slot[i]) {
		w->slot[i] = malloc(len);
		if (!w->slot[i]) {
			failure(w, "malloc", (long)len);
			return;
		}
	} else if (rng_next(w) & 1) {
		unsigned char *p = realloc(w->slot[i], len);
		if (!p) {
			failure(w, "realloc", (long)len);
			return;
		}
		if (p[0] != tag)
			failure(w, "realloc lost the block's contents", (long)len);
		w->slot[i] = p;
	} else {
		free(w->slot[i]);
		w->slot[i] = NULL;
		return;
	}
	w->slot[i][0] = tag;
	w->slot[i][len - 1] = tag;
	w->slot_len[i] = len;
	counter_inc(&w->allocs);
}

static void dl_churn(struct worker *w)
{
	void *h = dlopen(dl_path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		failure(w, "dlopen", 0);
		return;
	}
	int (*fn)(int) = (int (*)(int))dlsym(h, "locksdl_value");
	if (!fn)
		failure(w, "dlsym", 0);
	else if (fn(w->index) != w->index + 5)
		failure(w, "locksdl_value answered wrong", fn(w->index));
	if (dlclose(h) != 0)
		failure(w, "dlclose", 0);
	counter_inc(&w->dlopens);
}

/* A child that exits at once or becomes /bin/true; it must exit 0. */
static void fork_churn(struct worker *w, int exec)
{
	int status;
	pid_t pid = fork();
	if (pid < 0) {
		failure(w, "fork", 0);
		return;
	}
	if (pid == 0) {
		if (exec)
			execl("/bin/true", "true", (char *)NULL);
		_exit(exec ? 127 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			failure(w, "waitpid", pid);
			return;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failure(w, "child status", status);
	counter_inc(&w->forks);
}

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

/* One call's value, counted; reported if main asked before the call. */
static void call_note(struct worker *w, int want, int v)
{
	counter_inc(&w->calls);
	if (v == LOCKS_OLD)
		counter_inc(&w->olds);
	else if (v == LOCKS_NEW)
		counter_inc(&w->news);
	else
		counter_inc(&w->errors);
	if (want) {
		w->seen = v;
		__atomic_store_n(&w->req, 0, __ATOMIC_RELEASE);
	}
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (unsigned long n = 0; !__atomic_load_n(&stopping, __ATOMIC_ACQUIRE); n++) {
		/* read the request before the call: the call then starts after it */
		int want = __atomic_load_n(&w->req, __ATOMIC_ACQUIRE);
		call_note(w, want, locks_value(size_pick(w)));
		slot_churn(w);
		slot_churn(w);
		if (n % dl_every == (unsigned long)w->index % dl_every)
			dl_churn(w);
		if (n % fork_every == (unsigned long)w->index % fork_every)
			fork_churn(w, (int)(n / fork_every) & 1);
		if (pause_us)
			sleep_us(pause_us);
	}
	for (unsigned i = 0; i < NSLOTS; i++)
		free(w->slot[i]);
	return NULL;
}

static void *gate_run(void *arg)
{
	struct worker *w = arg;

	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		int want = __atomic_load_n(&w->req, __ATOMIC_ACQUIRE);
		call_note(w, want, locks_wait(&gate, GATE_SPIN_US));
		sleep_us(GATE_OUT_US);
	}
	return NULL;
}

static void *gate_hold(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&gate);
		sleep_us(GATE_HOLD_US);
		pthread_mutex_unlock(&gate);
		sleep_us(GATE_FREE_US);
	}
	return NULL;
}

static void do_expect(int want)
{
	int t;

	for (t = 0; t < nworkers; t++)
		__atomic_store_n(&workers[t].req, 1, __ATOMIC_RELEASE);
	for (t = 0; t < nworkers; t++) {
		int waited = 0;

		while (__atomic_load_n(&workers[t].req, __ATOMIC_ACQUIRE) && waited < EXPECT_TIMEOUT_MS) {
			sleep_us(1000);
			waited++;
		}
		if (__atomic_load_n(&workers[t].req, __ATOMIC_ACQUIRE)) {
			say("bad timeout thread %d", t);
			return;
		}
	}
	for (t = 0; t < nworkers; t++)
		if (workers[t].seen != want) {
			say("bad thread %d got %d want %d", t, workers[t].seen, want);
			return;
		}
	say("ok");
}

static void do_stats(void)
{
	unsigned long calls = 0, errors = 0, olds = 0, news = 0, allocs = 0, dlopens = 0, forks = 0;

	for (int t = 0; t < nworkers; t++) {
		struct worker *w = &workers[t];
		calls += __atomic_load_n(&w->calls, __ATOMIC_RELAXED);
		errors += __atomic_load_n(&w->errors, __ATOMIC_RELAXED);
		olds += __atomic_load_n(&w->olds, __ATOMIC_RELAXED);
		news += __atomic_load_n(&w->news, __ATOMIC_RELAXED);
		allocs += __atomic_load_n(&w->allocs, __ATOMIC_RELAXED);
		dlopens += __atomic_load_n(&w->dlopens, __ATOMIC_RELAXED);
		forks += __atomic_load_n(&w->forks, __ATOMIC_RELAXED);
	}
	say("stats calls %lu errors %lu old %lu new %lu allocs %lu dlopens %lu forks %lu failures %lu", calls, errors,
	    olds, news, allocs, dlopens, forks, __atomic_load_n(&failures, __ATOMIC_RELAXED));
}

static bool command_run(const char *word, int n, const char *line)
{
	(void)line;
	if (strcmp(word, "expect") == 0)
		do_expect(n);
	else if (strcmp(word, "stats") == 0)
		do_stats();
	else if (strcmp(word, "why") == 0)
		say("why %s", __atomic_load_n(&failure_taken, __ATOMIC_ACQUIRE) ? first_failure : "none");
	else
		return false;
	return true;
}

/* liblocksdl.so lies next to this program. */
static int dl_path_set(void)
{
	ssize_t n = readlink("/proc/self/exe", dl_path, sizeof(dl_path) - 1);
	if (n <= 0)
		return -1;
	dl_path[n] = '\0';
	char *slash = strrchr(dl_path, '/');
	if (!slash || (size_t)(slash - dl_path) + sizeof("/liblocksdl.so") > sizeof(dl_path))
		return -1;
	strcpy(slash, "/liblocksdl.so");
	return 0;
}

static int args_parse(int argc, char **argv, int *ret_gate)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end = NULL;
		unsigned long v = i + 1 < argc ? strtoul(argv[i + 1], &end, 10) : 0;
		if (strcmp(a, "--gate") == 0) {
			*ret_gate = 1;
			continue;
		}
		if (!end || *end || (v == 0 && strcmp(a, "--pause-us") != 0))
			return -1;
		if (strcmp(a, "--pause-us") == 0)
			pause_us = (long)v;
		else if (strcmp(a, "--dl-every") == 0)
			dl_every = v;
		else if (strcmp(a, "--fork-every") == 0)
			fork_every = v;
		else
			return -1;
		i++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t holder;
	int gate_mode = 0;

	cmd_setup();
	if (args_parse(argc, argv, &gate_mode) < 0) {
		say("ERR usage: locks-prog [--gate] [--pause-us N] [--dl-every N] [--fork-every N]");
		return 2;
	}
	if (dl_path_set() < 0 || mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) != 1) {
		say("ERR set-up");
		return 1;
	}
	if (gate_mode) {
		nworkers = 1;
		if (pthread_create(&holder, NULL, gate_hold, NULL) != 0) {
			say("ERR pthread_create failed");
			return 1;
		}
	}
	for (int t = 0; t < nworkers; t++) {
		workers[t].index = t;
		workers[t].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(t + 1);
		if (pthread_create(&workers[t].thread, NULL, gate_mode ? gate_run : worker_run, &workers[t]) != 0) {
			say("ERR pthread_create failed");
			return 1;
		}
	}
	int rc = cmd_serve(command_run);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	for (int t = 0; t < nworkers; t++)
		pthread_join(workers[t].thread, NULL);
	if (gate_mode)
		pthread_join(holder, NULL);
	return rc;
}
