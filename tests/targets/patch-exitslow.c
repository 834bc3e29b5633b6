/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-exitslow.c - a patch for many_value() in libexit.so (lib-many.c
 * under another name) whose object takes 300 ms to
 * load (its constructor sleeps on the borrowed thread), so that a test can
 * kill a process while a fleet trigger is loading the patch into it
 * (fleet-exit.sh).
 */
#include <time.h>

#include "libs.h"

int many_value_slow(int n);

int many_value_slow(int n)
{
	return n + 500;
}

__attribute__((constructor)) static void slow_load(void)
{
	struct timespec ts = { .tv_nsec = 300 * 1000 * 1000 };
	while (nanosleep(&ts, &ts) != 0)
		;
}
