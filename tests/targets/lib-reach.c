/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-reach.c - libreach.so: what a patch reaches into.  A static
 * variable, a static helper, a static thread-local variable, a function a
 * patch wraps, one the compiler inlines into a caller, and a counter the
 * hooks of a patch write.  Built with -O2 -g (DWARF for the packer).
 */
#include "libs.h"

static int reach_counter = 10;
static __thread int reach_tls;
static int reach_events;

__attribute__((noinline)) static int reach_scale(int x)
{
	return x * 2;
}

int reach_bump(int n)
{
	reach_counter += n;
	return reach_counter;
}

int reach_calc(int n)
{
	return reach_scale(n) + 1;
}

void reach_tls_set(int v)
{
	reach_tls = v;
}

int reach_tls_get(void)
{
	return reach_tls;
}

int reach_check(int n)
{
	return n < 0 ? -n : n;
}

/* Small and static: inlined into reach_limited; reach_limit_ptr keeps an
 * out-of-line copy that callers through the pointer reach. */
static int reach_limit(int n)
{
	return n > 100 ? 100 : n;
}

int (*reach_limit_ptr)(int) = reach_limit;

int reach_limited(int n)
{
	return reach_limit(n) * 2;
}

int reach_events_get(void)
{
	return reach_events;
}

/* Written here too, or the compiler folds the static to its first value. */
void reach_events_reset(void)
{
	reach_events = 0;
}

static volatile int reach_hold;

void reach_hold_set(int v)
{
	reach_hold = v;
}

/* reach_hooked(-1) stays inside until reach_hold_set(0): a thread held
 * there keeps the process from being consistent for hooks.dsc. */
int reach_hooked(int n)
{
	while (n < 0 && reach_hold)
		;
	return n;
}
