/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * syscall-prog.c - threads blocked in system calls while ulp patches the
 * process: each must return what it would have without ulp, when it
 * would have.
 *
 * Waiters, each blocked in one call until "release":
 *   read      read(2) of a pipe                   -> 1 byte
 *   mutex     pthread_mutex_lock (futex)          -> 0, once main unlocks
 *   cond      pthread_cond_wait (futex)           -> 0, with the flag set
 *   epoll     epoll_wait(2), no timeout           -> 1 event
 *   poll      poll(2), no timeout                 -> 1 ready
 *   accept    accept(2) on a unix socket          -> a connection
 *   waitpid   waitpid(2) of a child               -> its exit status 7
 *   sigwait   sigwaitinfo(2) for SIGUSR2          -> SIGUSR2 with value 42
 * Sleepers, each looping on 300 ms and timing every call:
 *   nanosleep, clock_nanosleep (relative), poll (timeout, nothing ready),
 *   condwait (pthread_cond_timedwait, absolute CLOCK_MONOTONIC deadline)
 *
 * Commands:
 *   tids      -> "NAME TID" per waiter, then "end"
 *   release   -> "released": what each waiter waits for happens
 *   results   -> "NAME ok" or "NAME pending" or "NAME BAD <what>" per
 *                waiter (BAD: another result, or returned before release)
 *   timed     -> "NAME n N eintr E errors X min_us A max_us B" per sleeper
 *   plain N   -> "plain R"
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "libs.h"

#define SLEEP_MS 300

enum waiter_kind { W_READ, W_MUTEX, W_COND, W_EPOLL, W_POLL, W_ACCEPT, W_WAITPID, W_SIGWAIT, NWAITERS };
static const char *const waiter_name[NWAITERS] = { "read", "mutex",  "cond",	"epoll",
						   "poll", "accept", "waitpid", "sigwait" };

static struct {
	pid_t tid;
	int done; /* 0 pending, 1 returned */
	char result[160];
} waiters[NWAITERS];

static int released;
static int read_pipe[2], epoll_pipe[2], poll_pipe[2], child_pipe[2], never_pipe[2];
static int listen_fd, epfd;
static pid_t child;
static struct sockaddr_un sock_addr;
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int cond_flag;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void report(enum waiter_kind k, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(enum waiter_kind k, int ok, const char *fmt, ...)
{
	char what[80];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&report_lock);
	if (!__atomic_load_n(&released, __ATOMIC_ACQUIRE))
		snprintf(waiters[k].result, sizeof(waiters[k].result), "BAD returned before release: %s", what);
	else if (ok)
		snprintf(waiters[k].result, sizeof(waiters[k].result), "ok");
	else
		snprintf(waiters[k].result, sizeof(waiters[k].result), "BAD %s", what);
	waiters[k].done = 1;
	pthread_mutex_unlock(&report_lock);
}

static void *waiter(void *arg)
{
	enum waiter_kind k = (enum waiter_kind)(intptr_t)arg;
	waiters[k].tid = (pid_t)syscall(SYS_gettid);
	char c;
	ssize_t n;
	int r, e;
	switch (k) {
	case W_READ:
		n = read(read_pipe[0], &c, 1);
		e = errno;
		report(k, n == 1 && c == 'r', "read returned %zd (%s)", n, n < 0 ? strerror(e) : "");
		break;
	case W_MUTEX:
		r = pthread_mutex_lock(&held);
		report(k, r == 0, "pthread_mutex_lock returned %d", r);
		pthread_mutex_unlock(&held);
		break;
	case W_COND:
		pthread_mutex_lock(&cond_lock);
		r = pthread_cond_wait(&cond, &cond_lock);
		report(k, r == 0 && cond_flag, "pthread_cond_wait returned %d, flag %d", r, cond_flag);
		pthread_mutex_unlock(&cond_lock);
		break;
	case W_EPOLL: {
		struct epoll_event ev;
		r = epoll_wait(epfd, &ev, 1, -1);
		e = errno;
		report(k, r == 1, "epoll_wait returned %d (%s)", r, r < 0 ? strerror(e) : "");
		break;
	}
	case W_POLL: {
		struct pollfd p = { .fd = poll_pipe[0], .events = POLLIN };
		r = poll(&p, 1, -1);
		e = errno;
		report(k, r == 1, "poll returned %d (%s)", r, r < 0 ? strerror(e) : "");
		break;
	}
	case W_ACCEPT:
		r = accept(listen_fd, NULL, NULL);
		e = errno;
		report(k, r >= 0, "accept returned %d (%s)", r, r < 0 ? strerror(e) : "");
		break;
	case W_WAITPID: {
		int status = 0;
		pid_t w = waitpid(child, &status, 0);
		e = errno;
		report(k, w == child && WIFEXITED(status) && WEXITSTATUS(status) == 7,
		       "waitpid returned %d status 0x%x (%s)", (int)w, status, w < 0 ? strerror(e) : "");
		break;
	}
	case W_SIGWAIT: {
		sigset_t set;
		siginfo_t si;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		r = sigwaitinfo(&set, &si);
		e = errno;
		report(k, r == SIGUSR2 && si.si_value.sival_int == 42, "sigwaitinfo returned %d value %d (%s)", r,
		       r == SIGUSR2 ? si.si_value.sival_int : 0, r < 0 ? strerror(e) : "");
		break;
	}
	default:
		break;
	}
	return NULL;
}

enum sleeper_kind { S_NANOSLEEP, S_CLOCK, S_POLL, S_CONDWAIT, NSLEEPERS };
static const char *const sleeper_name[NSLEEPERS] = { "nanosleep", "clock_nanosleep", "poll-timeout", "condwait" };

static struct {
	unsigned long n, eintr, errors;
	uint64_t min_ns, max_ns;
} sleepers[NSLEEPERS];
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *sleeper(void *arg)
{
	enum sleeper_kind k = (enum sleeper_kind)(intptr_t)arg;
	struct timespec req = { SLEEP_MS / 1000, (SLEEP_MS % 1000) * 1000000L };
	pthread_condattr_t ca;
	pthread_cond_t never;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&never, &ca);
	for (;;) {
		int err = 0;
		uint64_t t0 = now_ns();
		switch (k) {
		case S_NANOSLEEP:
			err = nanosleep(&req, NULL) == 0 ? 0 : errno;
			break;
		case S_CLOCK:
			err = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
			break;
		case S_POLL: {
			struct pollfd p = { .fd = never_pipe[0], .events = POLLIN };
			int r = poll(&p, 1, SLEEP_MS);
			err = r < 0 ? errno : r == 0 ? 0 : -1;
			break;
		}
		case S_CONDWAIT: {
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += SLEEP_MS / 1000;
			until.tv_nsec += (SLEEP_MS % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_mutex_lock(&m);
			int r = pthread_cond_timedwait(&never, &m, &until);
			pthread_mutex_unlock(&m);
			err = r == ETIMEDOUT ? 0 : r ? r : -1;
			break;
		}
		default:
			return NULL;
		}
		uint64_t d = now_ns() - t0;
		pthread_mutex_lock(&sleep_lock);
		sleepers[k].n++;
		sleepers[k].eintr += err == EINTR;
		sleepers[k].errors += err != 0 && err != EINTR;
		if (!sleepers[k].min_ns || d < sleepers[k].min_ns)
			sleepers[k].min_ns = d;
		if (d > sleepers[k].max_ns)
			sleepers[k].max_ns = d;
		pthread_mutex_unlock(&sleep_lock);
	}
	return NULL;
}

static void release_all(void)
{
	__atomic_store_n(&released, 1, __ATOMIC_RELEASE);
	if (write(read_pipe[1], "r", 1) != 1 || write(epoll_pipe[1], "e", 1) != 1 || write(poll_pipe[1], "p", 1) != 1 ||
	    write(child_pipe[1], "c", 1) != 1)
		say("ERR write: %s", strerror(errno));
	pthread_mutex_unlock(&held);
	pthread_mutex_lock(&cond_lock);
	cond_flag = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&cond_lock);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sock_addr, sizeof(sock_addr)) < 0)
		say("ERR connect: %s", strerror(errno));
	union sigval v = { .sival_int = 42 };
	sigqueue(getpid(), SIGUSR2, v);
}

static bool command_run(const char *word, int n, const char *line)
{
	(void)line;
	if (strcmp(word, "plain") == 0) {
		say("plain %d", plain_value(n));
	} else if (strcmp(word, "tids") == 0) {
		for (int k = 0; k < NWAITERS; k++)
			say("%s %d", waiter_name[k], (int)waiters[k].tid);
		say("end");
	} else if (strcmp(word, "release") == 0) {
		release_all();
		say("released");
	} else if (strcmp(word, "results") == 0) {
		pthread_mutex_lock(&report_lock);
		for (int k = 0; k < NWAITERS; k++)
			say("%s %s", waiter_name[k], waiters[k].done ? waiters[k].result : "pending");
		pthread_mutex_unlock(&report_lock);
	} else if (strcmp(word, "timed") == 0) {
		pthread_mutex_lock(&sleep_lock);
		for (int k = 0; k < NSLEEPERS; k++)
			say("%s n %lu eintr %lu errors %lu min_us %llu max_us %llu", sleeper_name[k], sleepers[k].n,
			    sleepers[k].eintr, sleepers[k].errors, (unsigned long long)(sleepers[k].min_ns / 1000),
			    (unsigned long long)(sleepers[k].max_ns / 1000));
		pthread_mutex_unlock(&sleep_lock);
	} else {
		return false;
	}
	return true;
}

int main(void)
{
	cmd_setup();
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL); /* every thread inherits it */
	if (pipe(read_pipe) || pipe(epoll_pipe) || pipe(poll_pipe) || pipe(child_pipe) || pipe(never_pipe)) {
		say("ERR pipe: %s", strerror(errno));
		return 1;
	}
	epfd = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, epoll_pipe[0], &ev) < 0) {
		say("ERR epoll: %s", strerror(errno));
		return 1;
	}
	/* An abstract socket name: nothing to clean up in the file system. */
	sock_addr.sun_family = AF_UNIX;
	snprintf(sock_addr.sun_path + 1, sizeof(sock_addr.sun_path) - 1, "ulp-syscall-prog-%d", (int)getpid());
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sock_addr, sizeof(sock_addr)) < 0 ||
	    listen(listen_fd, 1) < 0) {
		say("ERR socket: %s", strerror(errno));
		return 1;
	}
	child = fork();
	if (child == 0) {
		char c;
		close(child_pipe[1]);
		_exit(read(child_pipe[0], &c, 1) == 1 ? 7 : 9);
	}
	pthread_mutex_lock(&held);
	pthread_t t;
	for (int k = 0; k < NWAITERS; k++)
		if (pthread_create(&t, NULL, waiter, (void *)(intptr_t)k) != 0) {
			say("ERR pthread_create");
			return 1;
		}
	for (int k = 0; k < NSLEEPERS; k++)
		if (pthread_create(&t, NULL, sleeper, (void *)(intptr_t)k) != 0) {
			say("ERR pthread_create");
			return 1;
		}
	for (int k = 0; k < NWAITERS; k++)
		while (!__atomic_load_n(&waiters[k].tid, __ATOMIC_ACQUIRE))
			usleep(1000);
	return cmd_serve(command_run);
}
