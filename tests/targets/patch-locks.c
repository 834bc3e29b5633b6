/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-locks.c - new versions of locks_value() and locks_wait() (liblocks.so). */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "locks-churn.h"

int locks_value_v2(size_t size);
int locks_wait_v2(void *mutex, unsigned spin_us);

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

int locks_wait_v2(void *mutex, unsigned spin_us)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < spin_us);
	if (pthread_mutex_lock(mutex) != 0)
		return -1;
	pthread_mutex_unlock(mutex);
	return LOCKS_NEW;
}
