/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stack-prog.c - the target of the stack check tests (stack-*.sh).  The
 * main thread answers commands.  One worker thread, started by the first
 * job, runs one job at a time; between jobs it waits on a condition
 * variable, inside no library function of the tests.  A job that blocks
 * does so in read(2) on the "park" pipe, in the library function named,
 * until "release" writes one byte (1) to that pipe.
 *
 * Jobs, run by the worker.  The answer comes once the worker has taken the
 * job: "job NAME tid T fd F", T the worker's thread id (gettid()), F the
 * descriptor it blocks on (-1 for spin):
 *   job park      park(F)                libpark
 *   job work X    contract_work(X, F)    libcontract
 *   job gate      gate(F)                libgate (only the new one blocks)
 *   job spin      spin_until() until "leave", libspin; answered once the
 *                 worker is inside it
 *   job deep N    deep_outer(N, F)       libdeep: N + 2 frames of it
 *   job nounwind  nounwind_block(F)      libnounwind (no unwind information)
 *   job via       via_nounwind(F)        libvia, calling nounwind_block(F)
 *
 *   result      -> "result R" once the job has returned R (waits up to
 *                  5 s), else "result none"
 *   release     -> "released": one byte (1) into the park pipe
 *   signal      -> "signalled tid T fd F": SIGUSR1 sent to the worker; its
 *                  handler has started and blocks in read(2) on F
 *   sigrelease  -> "sigreleased": one byte into the handler's pipe
 *   leave       -> "left": spin_until() may return
 *   spawn N     -> "spawned N": N more threads that block for good (even
 *                  ones on a condition variable, odd ones in read(2))
 *
 * Calls made by the main thread itself; they never block (the byte is in a
 * fresh pipe before the call).  Answer "NAME R":
 *   call park | call work X | call gate | call spin | call deep N |
 *   call deepv N | call plain N | call nounwind | call via
 * (values before and after each patch: libs.h, with b = 1)
 *
 *   pid         -> "pid P"
 *   quit        -> "bye", exits
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "libs.h"

#define WAIT_MS		5000
#define HOLD_STACK_SIZE (256 * 1024)
#define HOLD_MAX	1000

enum job_kind { JOB_NONE, JOB_PARK, JOB_WORK, JOB_GATE, JOB_SPIN, JOB_DEEP, JOB_NOUNWIND, JOB_VIA };

static const char *const job_names[] = { "none", "park", "work", "gate", "spin", "deep", "nounwind", "via" };

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool started;
	pid_t tid;
	enum job_kind posted; /* JOB_NONE once the worker took it */
	int arg;
	bool busy;    /* a job is posted or running */
	bool running; /* the worker took it and has not returned */
	bool done;    /* result holds a result not yet reported */
	int result;
} worker = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static int park_fds[2], sig_fds[2], hold_fds[2];
static struct spin_ctl spin_ctl;
static int handler_state; /* 0 not run, 1 blocked in the handler, 2 returned */

static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cv = PTHREAD_COND_INITIALIZER;
static int hold_started, hold_total;

static void deadline_after(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Wait (bounded) until *flag holds want; true if it does. */
static bool flag_wait(const int *flag, int want)
{
	for (int waited = 0; waited < WAIT_MS; waited++) {
		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == want)
			return true;
		sleep_ms(1);
	}
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE) == want;
}

static int job_run(enum job_kind kind, int arg)
{
	switch (kind) {
	case JOB_PARK:
		return park(park_fds[0]);
	case JOB_WORK:
		return contract_work(arg, park_fds[0]);
	case JOB_GATE:
		return gate(park_fds[0]);
	case JOB_SPIN:
		return spin_until(&spin_ctl);
	case JOB_DEEP:
		return deep_outer(arg, park_fds[0]);
	case JOB_NOUNWIND:
		return nounwind_block(park_fds[0]);
	case JOB_VIA:
		return via_nounwind(park_fds[0]);
	case JOB_NONE:
		break;
	}
	return -1;
}

static void *worker_run(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&worker.mu);
	worker.tid = gettid();
	pthread_cond_broadcast(&worker.cv);
	for (;;) {
		while (worker.posted == JOB_NONE)
			pthread_cond_wait(&worker.cv, &worker.mu);
		enum job_kind kind = worker.posted;
		int arg = worker.arg;

		worker.posted = JOB_NONE;
		worker.running = true;
		pthread_cond_broadcast(&worker.cv);
		pthread_mutex_unlock(&worker.mu);

		int r = job_run(kind, arg);

		pthread_mutex_lock(&worker.mu);
		worker.result = r;
		worker.running = false;
		worker.busy = false;
		worker.done = true;
		pthread_cond_broadcast(&worker.cv);
	}
	return NULL;
}

/* Start the worker if needed; with worker.mu held, wait for its tid. */
static bool worker_start(void)
{
	struct timespec ts;

	if (worker.started)
		return true;
	if (pthread_create(&worker.thread, NULL, worker_run, NULL) != 0)
		return false;
	worker.started = true;
	deadline_after(&ts, WAIT_MS);
	while (!worker.tid)
		if (pthread_cond_timedwait(&worker.cv, &worker.mu, &ts) == ETIMEDOUT)
			return false;
	return true;
}

static void do_job(enum job_kind kind, int arg)
{
	struct timespec ts;
	bool taken = true;
	pid_t tid;

	pthread_mutex_lock(&worker.mu);
	if (!worker_start()) {
		pthread_mutex_unlock(&worker.mu);
		say("ERR cannot start the worker");
		return;
	}
	if (worker.busy) {
		pthread_mutex_unlock(&worker.mu);
		say("ERR busy");
		return;
	}
	if (kind == JOB_SPIN)
		__atomic_store_n(&spin_ctl.leave, 0, __ATOMIC_RELEASE);
	worker.posted = kind;
	worker.arg = arg;
	worker.busy = true;
	worker.done = false;
	pthread_cond_broadcast(&worker.cv);
	deadline_after(&ts, WAIT_MS);
	while (worker.posted != JOB_NONE && taken)
		taken = pthread_cond_timedwait(&worker.cv, &worker.mu, &ts) != ETIMEDOUT;
	tid = worker.tid;
	pthread_mutex_unlock(&worker.mu);
	if (!taken) {
		say("ERR the worker did not take the job");
		return;
	}
	if (kind == JOB_SPIN && !flag_wait(&spin_ctl.inside, 1)) {
		say("ERR spin was not entered");
		return;
	}
	say("job %s tid %d fd %d", job_names[kind], (int)tid, kind == JOB_SPIN ? -1 : park_fds[0]);
}

static void do_result(void)
{
	struct timespec ts;
	bool done;

	pthread_mutex_lock(&worker.mu);
	deadline_after(&ts, WAIT_MS);
	while (worker.busy && pthread_cond_timedwait(&worker.cv, &worker.mu, &ts) != ETIMEDOUT)
		continue;
	done = worker.done;
	worker.done = false;
	pthread_mutex_unlock(&worker.mu);
	if (done)
		say("result %d", worker.result);
	else
		say("result none");
}

static bool byte_write(int fd)
{
	unsigned char b = 1;

	return write(fd, &b, 1) == 1;
}

static void on_usr1(int sig)
{
	int saved = errno;
	unsigned char b;
	ssize_t n;

	(void)sig;
	__atomic_store_n(&handler_state, 1, __ATOMIC_RELEASE);
	n = read(sig_fds[0], &b, 1);
	(void)n;
	__atomic_store_n(&handler_state, 2, __ATOMIC_RELEASE);
	errno = saved;
}

static void do_signal(void)
{
	if (!worker.started) {
		say("ERR no worker");
		return;
	}
	__atomic_store_n(&handler_state, 0, __ATOMIC_RELEASE);
	if (pthread_kill(worker.thread, SIGUSR1) != 0) {
		say("ERR pthread_kill failed");
		return;
	}
	if (!flag_wait(&handler_state, 1)) {
		say("ERR the handler did not run");
		return;
	}
	say("signalled tid %d fd %d", (int)worker.tid, sig_fds[0]);
}

static void *hold_run(void *arg)
{
	long i = (long)arg;
	unsigned char b;

	pthread_mutex_lock(&hold_mu);
	hold_started++;
	pthread_cond_broadcast(&hold_cv);
	if (i % 2 == 0)
		for (;;)
			pthread_cond_wait(&hold_cv, &hold_mu);
	pthread_mutex_unlock(&hold_mu);
	while (read(hold_fds[0], &b, 1) >= 0 || errno == EINTR)
		continue;
	return NULL;
}

static void do_spawn(int n)
{
	pthread_attr_t attr;
	pthread_t t;
	struct timespec ts;
	bool all;

	if (n <= 0 || hold_total + n > HOLD_MAX) {
		say("ERR spawn: 1..%d threads in all", HOLD_MAX);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, HOLD_STACK_SIZE);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&t, &attr, hold_run, (void *)(long)(hold_total + i)) != 0) {
			say("ERR pthread_create failed after %d threads", i);
			pthread_attr_destroy(&attr);
			return;
		}
	}
	pthread_attr_destroy(&attr);
	hold_total += n;
	pthread_mutex_lock(&hold_mu);
	deadline_after(&ts, WAIT_MS);
	while (hold_started < hold_total && pthread_cond_timedwait(&hold_cv, &hold_mu, &ts) != ETIMEDOUT)
		continue;
	all = hold_started == hold_total;
	pthread_mutex_unlock(&hold_mu);
	if (all)
		say("spawned %d", n);
	else
		say("ERR only %d of %d threads started", hold_started, hold_total);
}

/* Call fn(n, fd) with fd the read end of a pipe that holds one byte (1):
 * a function that reads it does not block. */
static int call_fd_n(int (*fn)(int, int), int n)
{
	int fds[2], r = -1;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -2;
	if (byte_write(fds[1]))
		r = fn(n, fds[0]);
	close(fds[0]);
	close(fds[1]);
	return r;
}

static int park_n(int n, int fd)
{
	(void)n;
	return park(fd);
}

static int gate_n(int n, int fd)
{
	(void)n;
	return gate(fd);
}

static int nounwind_n(int n, int fd)
{
	(void)n;
	return nounwind_block(fd);
}

static int via_n(int n, int fd)
{
	(void)n;
	return via_nounwind(fd);
}

static void do_call(const char *what, int n)
{
	struct spin_ctl c = { .leave = 1 };

	if (strcmp(what, "park") == 0)
		say("park %d", call_fd_n(park_n, 0));
	else if (strcmp(what, "work") == 0)
		say("work %d", call_fd_n(contract_work, n));
	else if (strcmp(what, "gate") == 0)
		say("gate %d", call_fd_n(gate_n, 0));
	else if (strcmp(what, "spin") == 0)
		say("spin %d", spin_until(&c));
	else if (strcmp(what, "deep") == 0)
		say("deep %d", call_fd_n(deep_outer, n));
	else if (strcmp(what, "deepv") == 0)
		say("deepv %d", deep_value(n));
	else if (strcmp(what, "plain") == 0)
		say("plain %d", plain_value(n));
	else if (strcmp(what, "nounwind") == 0)
		say("nounwind %d", call_fd_n(nounwind_n, 0));
	else if (strcmp(what, "via") == 0)
		say("via %d", call_fd_n(via_n, 0));
	else
		say("ERR unknown function '%s'", what);
}

static enum job_kind job_kind_of(const char *name)
{
	for (size_t i = 1; i < sizeof(job_names) / sizeof(job_names[0]); i++)
		if (strcmp(name, job_names[i]) == 0)
			return (enum job_kind)i;
	return JOB_NONE;
}

static int command_run(const char *line)
{
	char word[32], what[32] = "";
	int n = 0;

	if (sscanf(line, "%31s %31s %d", word, what, &n) < 1)
		return 0;
	if (strcmp(word, "job") == 0) {
		enum job_kind kind = job_kind_of(what);

		if (kind == JOB_NONE)
			say("ERR unknown job '%s'", what);
		else
			do_job(kind, n);
	} else if (strcmp(word, "call") == 0) {
		do_call(what, n);
	} else if (strcmp(word, "result") == 0) {
		do_result();
	} else if (strcmp(word, "release") == 0) {
		if (byte_write(park_fds[1]))
			say("released");
		else
			say("ERR release: %s", strerror(errno));
	} else if (strcmp(word, "signal") == 0) {
		do_signal();
	} else if (strcmp(word, "sigrelease") == 0) {
		if (byte_write(sig_fds[1]))
			say("sigreleased");
		else
			say("ERR sigrelease: %s", strerror(errno));
	} else if (strcmp(word, "leave") == 0) {
		__atomic_store_n(&spin_ctl.leave, 1, __ATOMIC_RELEASE);
		say("left");
	} else if (strcmp(word, "spawn") == 0) {
		do_spawn(atoi(what));
	} else if (strcmp(word, "pid") == 0) {
		say("pid %d", (int)getpid());
	} else if (strcmp(word, "quit") == 0) {
		return 1;
	} else {
		say("ERR unknown command '%s'", word);
	}
	return 0;
}

int main(void)
{
	struct cmd_reader r = CMD_READER_INIT;
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	char *line;

	cmd_setup();
	sigemptyset(&sa.sa_mask);
	if (pipe2(park_fds, O_CLOEXEC) < 0 || pipe2(sig_fds, O_CLOEXEC) < 0 || pipe2(hold_fds, O_CLOEXEC) < 0 ||
	    sigaction(SIGUSR1, &sa, NULL) < 0) {
		say("ERR setup: %s", strerror(errno));
		return 1;
	}
	say("ready");
	while ((line = cmd_read_line(&r)))
		if (command_run(line))
			break;
	say("bye");
	exit(0);
}
