/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-timing.c - libtiming.so, called in the timing target's loops. */
#include "libs.h"

int timing_value(int n)
{
	return n + 1;
}
