/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * call-prog.c - the target of the calls benchmark: what does a call to a
 * function cost, unpatched, patched and reverted, against the same code
 * built without patchable entries?
 *
 * Three functions with the same code, each in a shared library of its
 * own, so that the compiler cannot inline them:
 *   patchable  callp_add (libbenchcallp.so), the one that gets patched
 *   unpatched  callq_add (libbenchcallq.so), patchable, never patched
 *   plain      calln_add (libbenchcalln.so), without patchable entries
 * The loops are noinline and built with -fno-ipa-icf, so none is folded
 * into another.  Three call paths:
 *   plt    a direct call, through the PLT; the results are summed, so
 *          calls overlap in the CPU (throughput)
 *   ptr    through a function pointer read from a volatile variable (the
 *          compiler cannot turn it back into a direct call); summed too
 *   chain  through the PLT, each result the next call's argument: every
 *          call waits for the previous one (latency)
 *
 * Usage: call-prog [CALLS]   (calls per measurement, default 4,000,000)
 * The process pins itself to the last CPU.
 *
 * Commands:
 *   run R   -> R rounds, each measuring every (path, function) once, in
 *              turn: one line "m PATH FUNC ns X tsc Y" each (per call:
 *              nanoseconds and TSC ticks), then "done"
 *   marker  -> "marker V"   callp_marker(): 1, patched 2
 *   quit    -> "bye"
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bench-libs.h"
#include "cmd.h"

#define DEFAULT_CALLS 4000000L

typedef int (*add_fn)(int);

static add_fn volatile ptr_patchable = callp_add;
static add_fn volatile ptr_unpatched = callq_add;
static add_fn volatile ptr_plain = calln_add;
static volatile int sink;
static long calls = DEFAULT_CALLS;

/* One function per call path and callee, so each loop calls its callee
 * directly (plt, chain) or through its own pointer (ptr). */
#define LOOP_PLT(name, fn)                                \
	__attribute__((noinline)) static int name(long n) \
	{                                                 \
		int s = 0;                                \
		for (long i = 0; i < n; i++)              \
			s += fn((int)i);                  \
		return s;                                 \
	}

#define LOOP_PTR(name, ptr)                               \
	__attribute__((noinline)) static int name(long n) \
	{                                                 \
		add_fn f = ptr;                           \
		int s = 0;                                \
		for (long i = 0; i < n; i++)              \
			s += f((int)i);                   \
		return s;                                 \
	}

#define LOOP_CHAIN(name, fn)                              \
	__attribute__((noinline)) static int name(long n) \
	{                                                 \
		int x = 0;                                \
		for (long i = 0; i < n; i++)              \
			x = fn(x);                        \
		return x;                                 \
	}

LOOP_PLT(loop_plt_patchable, callp_add)
LOOP_PLT(loop_plt_unpatched, callq_add)
LOOP_PLT(loop_plt_plain, calln_add)
LOOP_PTR(loop_ptr_patchable, ptr_patchable)
LOOP_PTR(loop_ptr_unpatched, ptr_unpatched)
LOOP_PTR(loop_ptr_plain, ptr_plain)
LOOP_CHAIN(loop_chain_patchable, callp_add)
LOOP_CHAIN(loop_chain_unpatched, callq_add)
LOOP_CHAIN(loop_chain_plain, calln_add)

static const struct loop {
	const char *path, *func;
	int (*run)(long n);
} loops[] = {
	{ "plt", "patchable", loop_plt_patchable },
	{ "plt", "unpatched", loop_plt_unpatched },
	{ "plt", "plain", loop_plt_plain },
	{ "ptr", "patchable", loop_ptr_patchable },
	{ "ptr", "unpatched", loop_ptr_unpatched },
	{ "ptr", "plain", loop_ptr_plain },
	{ "chain", "patchable", loop_chain_patchable },
	{ "chain", "unpatched", loop_chain_unpatched },
	{ "chain", "plain", loop_chain_plain },
};

#define NLOOPS (sizeof(loops) / sizeof(loops[0]))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void loop_measure(const struct loop *l)
{
	uint64_t t0 = now_ns(), c0 = __rdtsc();

	sink += l->run(calls);
	uint64_t c1 = __rdtsc(), t1 = now_ns();
	say("m %s %s ns %.4f tsc %.4f", l->path, l->func, (double)(t1 - t0) / (double)calls,
	    (double)(c1 - c0) / (double)calls);
}

static void rounds_run(int rounds)
{
	/* warm-up, one round not reported: caches, branch predictors, the
	 * PLT's lazy binding, the CPU's clock */
	for (size_t i = 0; i < NLOOPS; i++)
		sink += loops[i].run(calls);
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < NLOOPS; i++)
			loop_measure(&loops[i]);
	say("done");
}

static bool command_run(const char *word, int n, const char *line)
{
	(void)line;
	if (strcmp(word, "run") == 0)
		rounds_run(n > 0 ? n : 1);
	else if (strcmp(word, "marker") == 0)
		say("marker %d", callp_marker());
	else
		return false;
	return true;
}

/* One CPU, always the same: no migration in the middle of a measurement. */
static void cpu_pin(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(ncpu > 1 ? (int)ncpu - 1 : 0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	cmd_setup();
	if (argc > 1)
		calls = atol(argv[1]);
	if (calls < 1000)
		calls = 1000;
	cpu_pin();
	return cmd_serve(command_run);
}
