/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-timing.c - new version of timing_value() (libtiming.so). */
#include "libs.h"

int timing_value_v2(int n);

int timing_value_v2(int n)
{
	return n + 2;
}
