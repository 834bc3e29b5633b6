/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * malloc-prog.c - the target of the idle benchmark: what does the runtime
 * cost a process it is loaded in while no patch is applied?
 *
 * Usage:
 *   malloc-prog THREADS MS   THREADS threads allocate and free blocks of
 *                            16 to 4096 bytes (a working set of SLOTS
 *                            blocks each, touched once) for MS
 *                            milliseconds; prints "ops N ms T"
 *   malloc-prog idle         prints "ready", then waits for end of input
 *                            (its memory is read from /proc meanwhile)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOTS	    256
#define MAX_THREADS 64
#define CHECK_EVERY 1024

struct worker {
	pthread_t th;
	uint64_t ops;
	uint64_t end_ns;
	uint32_t seed;
};

static pthread_barrier_t start;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	char *slot[SLOTS] = { 0 };
	uint64_t ops = 0;

	pthread_barrier_wait(&start);
	do {
		for (int i = 0; i < CHECK_EVERY; i++) {
			uint32_t r = xorshift(&w->seed);
			char **p = &slot[r % SLOTS];
			free(*p);
			*p = malloc(16 + (r >> 8) % 4081);
			if (*p)
				**p = (char)r;
		}
		ops += CHECK_EVERY;
	} while (now_ns() < w->end_ns);
	for (int i = 0; i < SLOTS; i++)
		free(slot[i]);
	w->ops = ops;
	return NULL;
}

static int idle_wait(void)
{
	char buf[64];

	printf("ready\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	static struct worker w[MAX_THREADS];
	int nthreads, ms;
	uint64_t t0, total = 0;

	if (argc == 2 && strcmp(argv[1], "idle") == 0)
		return idle_wait();
	if (argc != 3 || (nthreads = atoi(argv[1])) < 1 || nthreads > MAX_THREADS || (ms = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: malloc-prog THREADS MS | malloc-prog idle\n");
		return 2;
	}
	pthread_barrier_init(&start, NULL, (unsigned)nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		w[i].seed = 2463534242u + (uint32_t)i * 7919u;
		if (pthread_create(&w[i].th, NULL, worker_run, &w[i]) != 0) {
			fprintf(stderr, "malloc-prog: pthread_create failed\n");
			return 1;
		}
	}
	t0 = now_ns();
	for (int i = 0; i < nthreads; i++)
		w[i].end_ns = t0 + (uint64_t)ms * 1000000u;
	pthread_barrier_wait(&start);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		total += w[i].ops;
	}
	printf("ops %llu ms %.3f\n", (unsigned long long)total, (double)(now_ns() - t0) / 1e6);
	return 0;
}
