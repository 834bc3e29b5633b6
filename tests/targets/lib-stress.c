/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-stress.c - libstress.so, called by 8 threads in a tight loop. */
#include "libs.h"

int stress_value(void)
{
	return STRESS_OLD;
}
