/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-busy.c - libbusy.so: busy_for() computes for a while in its own body
 * and returns.  A thread calling it in a loop is inside it almost all the
 * time, so a stop rarely finds it outside: the switch must let it run out.
 */
#include "libs.h"

int busy_for(unsigned iterations)
{
	volatile unsigned sink = 0;
	for (unsigned i = 0; i < iterations; i++)
		sink += i;
	return BUSY_OLD;
}
