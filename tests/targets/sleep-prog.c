/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sleep-prog.c - single-threaded target that keeps sleeping.
 *
 * Loops on relative sleeps of MS milliseconds, alternating nanosleep() and
 * clock_nanosleep(CLOCK_MONOTONIC, 0, ...), and times each one with
 * CLOCK_MONOTONIC.  A sleep ulp interrupted to borrow the thread must be
 * resumed by the kernel for the time left: it returns 0 (never EINTR),
 * after at least MS ms and not much more (a sleep restarted from zero
 * lasts MS plus the time already slept).  Between two sleeps it takes
 * the commands waiting on stdin, if any:
 *
 *   plain N  -> "plain R"    plain_value(N)
 *   stats    -> "sleeps N eintr E errors X min_us A max_us B": sleeps done,
 *               how many failed with EINTR and with another error, and the
 *               shortest and longest one
 *   quit     -> "bye", exits
 *
 * Usage: sleep-prog [MS] (default 200).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "libs.h"

static unsigned long sleeps, eintr, errors;
static uint64_t min_ns = UINT64_MAX, max_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One timed relative sleep; odd ones through clock_nanosleep(). */
static void sleep_once(long ms)
{
	struct timespec req = { ms / 1000, (ms % 1000) * 1000000 }, rem;
	uint64_t t0, t1;
	int err;

	t0 = now_ns();
	if (sleeps & 1)
		err = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
	else
		err = nanosleep(&req, &rem) == 0 ? 0 : errno;
	t1 = now_ns();
	sleeps++;
	if (err == EINTR)
		eintr++;
	else if (err)
		errors++;
	if (t1 - t0 < min_ns)
		min_ns = t1 - t0;
	if (t1 - t0 > max_ns)
		max_ns = t1 - t0;
}

static int command_run(const char *line)
{
	char word[32];
	int n = 0;

	if (sscanf(line, "%31s %d", word, &n) < 1)
		return 0;
	if (strcmp(word, "plain") == 0)
		say("plain %d", plain_value(n));
	else if (strcmp(word, "stats") == 0)
		say("sleeps %lu eintr %lu errors %lu min_us %llu max_us %llu", sleeps, eintr, errors,
		    sleeps ? (unsigned long long)(min_ns / 1000) : 0ull, (unsigned long long)(max_ns / 1000));
	else if (strcmp(word, "quit") == 0)
		return 1;
	else
		say("ERR unknown command '%s'", word);
	return 0;
}

int main(int argc, char **argv)
{
	struct cmd_reader r = CMD_READER_INIT;
	long ms = argc > 1 ? atol(argv[1]) : 200;
	char *line;
	int eof = 0;

	cmd_setup();
	if (ms <= 0) {
		say("ERR bad sleep length");
		return 1;
	}
	say("ready");
	for (;;) {
		while ((line = cmd_poll_line(&r, &eof)))
			if (command_run(line))
				goto out;
		if (eof)
			break;
		sleep_once(ms);
	}
out:
	say("bye");
	return 0;
}
