/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-locks.c - new version of locks_value() (liblocks.so). */
#include <stdlib.h>

#include "locks-churn.h"

int locks_value_v2(size_t size);

int locks_value_v2(size_t size)
{
	volatile char *p = malloc(size);
	if (!p)
		return -1;
	p[0] = 3;
	p[size - 1] = 4;
	free((void *)p);
	return LOCKS_NEW;
}
