/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calendard.c - the example daemon: answers calendar questions over TCP
 * on 127.0.0.1, using libcalendar.so.
 *
 * Usage: calendard [PORT]   (default 0: any free port)
 * Prints "calendard: listening on 127.0.0.1:PORT" once ready; stops on
 * SIGTERM or SIGINT.  Several worker threads accept connections; each
 * connection sends lines and gets one line back per request:
 *
 *   leap YEAR         -> "[worker W] YEAR is a leap year" / "... is not a leap year"
 *   days YEAR MONTH   -> "[worker W] MONTH/YEAR has N days"
 *   stats             -> "[worker W] requests served: N"
 *   quit              -> closes the connection
 *
 * Nothing here knows about live patching: run it with
 * LD_PRELOAD=libpulp.so and `ulp trigger` can fix libcalendar.so in place.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "calendar.h"

#define NWORKERS 4

static int listen_fd;
static unsigned long requests; /* shared by the workers: atomics */

static void answer(int fd, int worker, const char *line)
{
	int year, month;
	char word[16];

	if (sscanf(line, "%15s", word) != 1)
		return;
	__atomic_fetch_add(&requests, 1, __ATOMIC_RELAXED);
	if (strcmp(word, "leap") == 0 && sscanf(line, "%*s %d", &year) == 1)
		dprintf(fd, "[worker %d] %d is %sa leap year\n", worker, year, cal_is_leap(year) ? "" : "not ");
	else if (strcmp(word, "days") == 0 && sscanf(line, "%*s %d %d", &year, &month) == 2)
		dprintf(fd, "[worker %d] %d/%d has %d days\n", worker, month, year, cal_days_in_month(year, month));
	else if (strcmp(word, "stats") == 0)
		dprintf(fd, "[worker %d] requests served: %lu\n", worker, __atomic_load_n(&requests, __ATOMIC_RELAXED));
	else
		dprintf(fd, "[worker %d] error: try 'leap YEAR', 'days YEAR MONTH', 'stats' or 'quit'\n", worker);
}

static void serve(int fd, int worker)
{
	FILE *in = fdopen(fd, "r");
	char line[256];

	if (!in) {
		close(fd);
		return;
	}
	while (fgets(line, sizeof(line), in)) {
		if (strncmp(line, "quit", 4) == 0)
			break;
		answer(fd, worker, line);
	}
	fclose(in);
}

static void *worker_run(void *arg)
{
	int worker = (int)(long)arg;

	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("calendard: accept");
			return NULL;
		}
		serve(fd, worker);
	}
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t len = sizeof(a);
	int one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(listen_fd, 16) < 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &len) < 0) {
		perror("calendard: cannot listen on 127.0.0.1");
		return -1;
	}
	return ntohs(a.sin_port);
}

int main(int argc, char **argv)
{
	sigset_t stop;
	pthread_t th;
	int port, sig;

	port = listen_on(argc > 1 ? atoi(argv[1]) : 0);
	if (port < 0)
		return 1;
	/* only the main thread takes the stop signals, in sigwait() */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (long i = 0; i < NWORKERS; i++)
		if (pthread_create(&th, NULL, worker_run, (void *)i) != 0) {
			fprintf(stderr, "calendard: cannot start worker %ld\n", i);
			return 1;
		}
	printf("calendard: listening on 127.0.0.1:%d (pid %d, %d workers)\n", port, (int)getpid(), NWORKERS);
	fflush(stdout);
	sigwait(&stop, &sig);
	printf("calendard: stopping on signal %d after %lu requests\n", sig,
	       __atomic_load_n(&requests, __ATOMIC_RELAXED));
	return 0;
}
