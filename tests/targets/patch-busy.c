/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-busy.c - new version of busy_for() (libbusy.so). */
#include "libs.h"

int busy_for_v2(unsigned iterations);

int busy_for_v2(unsigned iterations)
{
	volatile unsigned sink = 0;
	for (unsigned i = 0; i < iterations; i++)
		sink += i;
	return BUSY_NEW;
}
