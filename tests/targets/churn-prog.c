/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * churn-prog.c - threads are created and exit all the time:
 *
 *   - one spawner creates detached threads (at most MAX_DETACHED alive);
 *   - another creates a joinable thread and joins it, over and over.
 *
 * Each such thread calls churn_value() (the function the test patches) a
 * few times and exits, by returning or by pthread_exit().  Options:
 *
 *   --main-exits  the main thread starts a thread that answers the
 *                 commands, then calls pthread_exit(): the process lives
 *                 on without it (its /proc entry is a zombie's)
 *   --fork-exec   one more thread forks and execs children without end:
 *                 /bin/true, this program again (it exits at once with
 *                 "--child", after a few milliseconds, and says through
 *                 its status whether churn_value() was the original), and
 *                 posix_spawn() of /bin/true; each must exit with status 0
 *   --pause-us N  sleep N microseconds between two creations (default 100)
 *
 * Commands:
 *   expect V -> "ok" once FRESH threads created after the command have
 *               called churn_value() and every call returned V, else
 *               "bad got X want V" or "bad timeout"
 *   stats    -> "stats threads T detached D joined J errors E old O new N
 *               children C failures X maxwait_ms W" (errors: calls that
 *               returned neither CHURN_OLD nor CHURN_NEW; failures: a
 *               thread or a child that could not be created, or a child
 *               that did not exit 0; maxwait_ms: the longest wait for a
 *               child)
 *   why      -> "why TEXT": the first failure, or "why none"
 *   quit     -> "bye"; the threads are stopped, then the process exits
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "locks-churn.h"

#define MAX_DETACHED	  32
#define CALLS_PER_THREAD  3
#define FRESH		  8
#define EXPECT_TIMEOUT_MS 5000
#define CHILD_SLEEP_US	  3000

extern char **environ;

static long pause_us = 100;
static int stopping;

static unsigned long created, detached_done, joined, errors, olds, news, children, failures, maxwait_us;
static int detached_alive;
static char first_failure[256];
static int failure_taken;

/* expect: threads that read the current epoch before their first call */
static pthread_mutex_t epoch_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned epoch;
static int epoch_want, epoch_fresh, epoch_bad;

static void failure(const char *what, long detail)
{
	__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&failure_taken, 1, __ATOMIC_ACQ_REL) == 0)
		snprintf(first_failure, sizeof(first_failure), "%s (%ld)", what, detail);
}

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The body of every short-lived thread; @arg says how it ends. */
static void *churn_thread(void *arg)
{
	uintptr_t how = (uintptr_t)arg;
	pthread_mutex_lock(&epoch_lock);
	unsigned e = epoch;
	pthread_mutex_unlock(&epoch_lock);
	int bad = 0;

	for (int i = 0; i < CALLS_PER_THREAD; i++) {
		int v = churn_value();
		if (v == CHURN_OLD) {
			__atomic_add_fetch(&olds, 1, __ATOMIC_RELAXED);
		} else if (v == CHURN_NEW) {
			__atomic_add_fetch(&news, 1, __ATOMIC_RELAXED);
		} else {
			__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
		}
		if (!bad && v != __atomic_load_n(&epoch_want, __ATOMIC_RELAXED))
			bad = v;
		if (i == 0)
			sched_yield();
	}
	pthread_mutex_lock(&epoch_lock);
	if (e == epoch) {
		epoch_fresh++;
		if (bad && !epoch_bad)
			epoch_bad = bad;
	}
	pthread_mutex_unlock(&epoch_lock);
	if (how & 1) {
		__atomic_sub_fetch(&detached_alive, 1, __ATOMIC_RELEASE);
		__atomic_add_fetch(&detached_done, 1, __ATOMIC_RELAXED);
	}
	if (how & 2)
		pthread_exit(NULL);
	return NULL;
}

static void *spawn_detached(void *arg)
{
	pthread_attr_t attr;
	(void)arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (uintptr_t n = 0; !__atomic_load_n(&stopping, __ATOMIC_ACQUIRE); n++) {
		pthread_t t;
		if (__atomic_load_n(&detached_alive, __ATOMIC_ACQUIRE) >= MAX_DETACHED) {
			sleep_us(pause_us + 100);
			continue;
		}
		__atomic_add_fetch(&detached_alive, 1, __ATOMIC_ACQ_REL);
		int r = pthread_create(&t, &attr, churn_thread, (void *)(1 | (n & 1) << 1));
		if (r != 0) {
			__atomic_sub_fetch(&detached_alive, 1, __ATOMIC_RELEASE);
			failure("pthread_create (detached)", r);
			sleep_us(10000);
			continue;
		}
		__atomic_add_fetch(&created, 1, __ATOMIC_RELAXED);
		if (pause_us)
			sleep_us(pause_us);
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

static void *spawn_joined(void *arg)
{
	(void)arg;
	for (uintptr_t n = 0; !__atomic_load_n(&stopping, __ATOMIC_ACQUIRE); n++) {
		pthread_t t;
		int r = pthread_create(&t, NULL, churn_thread, (void *)((n & 1) << 1));
		if (r != 0) {
			failure("pthread_create (joined)", r);
			sleep_us(10000);
			continue;
		}
		__atomic_add_fetch(&created, 1, __ATOMIC_RELAXED);
		if ((r = pthread_join(t, NULL)) != 0)
			failure("pthread_join", r);
		else
			__atomic_add_fetch(&joined, 1, __ATOMIC_RELAXED);
		if (pause_us)
			sleep_us(pause_us);
	}
	return NULL;
}

/* Wait for child @pid; it must exit with status 0. */
static void child_wait(pid_t pid, uint64_t since)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			failure("waitpid", pid);
			return;
		}
	uint64_t took = now_us() - since;
	if (took > __atomic_load_n(&maxwait_us, __ATOMIC_RELAXED))
		__atomic_store_n(&maxwait_us, took, __ATOMIC_RELAXED);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failure("child status", status);
	__atomic_add_fetch(&children, 1, __ATOMIC_RELAXED);
}

static void *spawn_children(void *arg)
{
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	(void)arg;
	if (len <= 0) {
		failure("readlink /proc/self/exe", errno);
		return NULL;
	}
	self[len] = '\0';
	for (unsigned n = 0; !__atomic_load_n(&stopping, __ATOMIC_ACQUIRE); n++) {
		uint64_t since = now_us();
		pid_t pid;
		if (n % 3 == 2) {
			char *argv[] = { "true", NULL };
			int r = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
			if (r != 0) {
				failure("posix_spawn", r);
				sleep_us(10000);
				continue;
			}
		} else if ((pid = fork()) < 0) {
			failure("fork", errno);
			sleep_us(10000);
			continue;
		} else if (pid == 0) {
			if (n % 3 == 0)
				execl("/bin/true", "true", (char *)NULL);
			else
				execl(self, "churn-prog", "--child", (char *)NULL);
			_exit(127);
		}
		child_wait(pid, since);
		if (pause_us)
			sleep_us(pause_us);
	}
	return NULL;
}

static void do_expect(int want)
{
	pthread_mutex_lock(&epoch_lock);
	epoch++;
	epoch_want = want;
	epoch_fresh = 0;
	epoch_bad = 0;
	pthread_mutex_unlock(&epoch_lock);
	for (int waited = 0; waited < EXPECT_TIMEOUT_MS; waited++) {
		pthread_mutex_lock(&epoch_lock);
		int fresh = epoch_fresh, bad = epoch_bad;
		pthread_mutex_unlock(&epoch_lock);
		if (bad) {
			say("bad got %d want %d", bad, want);
			return;
		}
		if (fresh >= FRESH) {
			say("ok");
			return;
		}
		sleep_us(1000);
	}
	say("bad timeout");
}

static unsigned long counter(unsigned long *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static bool command_run(const char *word, int n, const char *line)
{
	(void)line;
	if (strcmp(word, "expect") == 0)
		do_expect(n);
	else if (strcmp(word, "stats") == 0)
		say("stats threads %lu detached %lu joined %lu errors %lu old %lu new %lu children %lu failures %lu "
		    "maxwait_ms %lu",
		    counter(&created), counter(&detached_done), counter(&joined), counter(&errors), counter(&olds),
		    counter(&news), counter(&children), counter(&failures), counter(&maxwait_us) / 1000);
	else if (strcmp(word, "why") == 0)
		say("why %s", __atomic_load_n(&failure_taken, __ATOMIC_ACQUIRE) ? first_failure : "none");
	else
		return false;
	return true;
}

static pthread_t spawners[3];
static int nspawners;

/* Answer commands until "quit"; then stop the spawners and exit. */
static void *serve(void *arg)
{
	(void)arg;
	int rc = cmd_serve(command_run);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < nspawners; i++)
		pthread_join(spawners[i], NULL);
	/* the last detached threads: bounded, they only call churn_value() */
	for (int i = 0; i < 1000 && __atomic_load_n(&detached_alive, __ATOMIC_ACQUIRE) > 0; i++)
		sleep_us(1000);
	exit(rc);
}

int main(int argc, char **argv)
{
	int main_exits = 0, fork_exec = 0;

	if (argc > 1 && strcmp(argv[1], "--child") == 0) {
		/* a fresh image: never patched */
		sleep_us(CHILD_SLEEP_US);
		return churn_value() == CHURN_OLD ? 0 : 3;
	}
	cmd_setup();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--main-exits") == 0)
			main_exits = 1;
		else if (strcmp(argv[i], "--fork-exec") == 0)
			fork_exec = 1;
		else if (strcmp(argv[i], "--pause-us") == 0 && i + 1 < argc)
			pause_us = atol(argv[++i]);
		else {
			say("ERR usage: churn-prog [--main-exits] [--fork-exec] [--pause-us N]");
			return 2;
		}
	}
	void *(*fns[])(void *) = { spawn_detached, spawn_joined, spawn_children };
	for (int i = 0; i < 2 + fork_exec; i++) {
		if (pthread_create(&spawners[i], NULL, fns[i], NULL) != 0) {
			say("ERR pthread_create failed");
			return 1;
		}
		nspawners++;
	}
	if (!main_exits)
		serve(NULL);
	pthread_t server;
	if (pthread_create(&server, NULL, serve, NULL) != 0) {
		say("ERR pthread_create failed");
		return 1;
	}
	pthread_exit(NULL);
}
