/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-locks.c - liblocks.so: locks_value() takes the allocator's locks
 * (or, for a large size, the kernel's mmap lock) inside its own body, so
 * a thread found inside it may wait there for a lock another thread holds.
 */
#include <stdlib.h>
#include <string.h>

#include "locks-churn.h"

int locks_value(size_t size)
{
	volatile char *p = malloc(size);
	if (!p)
		return -1;
	p[0] = 1;
	p[size - 1] = 2;
	free((void *)p);
	return LOCKS_OLD;
}
