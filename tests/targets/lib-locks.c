/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-locks.c - liblocks.so: locks_value() takes the allocator's locks
 * (or, for a large size, the kernel's mmap lock) inside its own body, so
 * a thread found inside it may wait there for a lock another thread holds;
 * locks_wait() spins, then waits for a mutex, in its own body.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int locks_wait(void *mutex, unsigned spin_us)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < spin_us);
	if (pthread_mutex_lock(mutex) != 0)
		return -1;
	pthread_mutex_unlock(mutex);
	return LOCKS_OLD;
}
