/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sig-send.c - send SIGRTMIN to a process, one signal at a time.
 *
 * Usage: sig-send PID MAX [GAP_US]
 *
 * Sends SIGRTMIN to PID with sigqueue(), waiting GAP_US microseconds
 * (default 200) between two signals, until MAX have been sent or SIGTERM
 * arrives.  A send the kernel refuses because the receiver's queue is full
 * (EAGAIN) is retried and not counted.  Prints "sent N" (the signals the
 * kernel accepted, each of which the receiver must get) and exits 0; 1 if
 * a send failed for another reason (the count so far is still printed).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void pause_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	unsigned long sent = 0, max;
	long gap_us = 200;
	union sigval v = { 0 };
	pid_t pid;
	int rc = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: sig-send PID MAX [GAP_US]\n");
		return 2;
	}
	pid = (pid_t)atoi(argv[1]);
	max = strtoul(argv[2], NULL, 10);
	if (argc == 4)
		gap_us = atol(argv[3]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);

	while (!stop && sent < max) {
		if (sigqueue(pid, SIGRTMIN, v) == 0)
			sent++;
		else if (errno != EAGAIN) {
			fprintf(stderr, "sig-send: sigqueue(%d): %s\n", (int)pid, strerror(errno));
			rc = 1;
			break;
		}
		if (gap_us > 0)
			pause_us(gap_us);
	}
	printf("sent %lu\n", sent);
	return rc;
}
