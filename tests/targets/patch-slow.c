/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-slow.c - a patch for plain_value() whose object takes 400 ms to
 * load: its constructor sleeps, on the thread ulp borrowed, so that a
 * test can interrupt ulp while it waits for that call (interrupted.sh).
 */
#include <time.h>

#include "libs.h"

int plain_value_slow(int n);

int plain_value_slow(int n)
{
	return n + 2000;
}

__attribute__((constructor)) static void slow_load(void)
{
	struct timespec ts = { .tv_nsec = 400 * 1000 * 1000 };
	while (nanosleep(&ts, &ts) != 0)
		;
}
