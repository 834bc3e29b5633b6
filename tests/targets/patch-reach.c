/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-reach.c - new versions of libreach.so's functions that use what
 * the library keeps to itself, through the references of reach.dsc:
 * its static counter, its static helper, its static thread-local variable,
 * and the original body of the function reach_check_fixed wraps.
 *
 * Reference variables are global (hidden), never static: the compiler
 * may assume a static variable that the file never writes keeps its
 * initial value, and the runtime writes them.
 */
#define HIDDEN __attribute__((visibility("hidden")))

typedef struct {
	unsigned long module, offset;
} tls_index;
extern void *__tls_get_addr(tls_index *ti);

HIDDEN int *counter_ref;       /* #reach_counter:counter_ref */
HIDDEN int (*scale_ref)(int);  /* #reach_scale:scale_ref */
HIDDEN tls_index tls_ref;      /* #%reach_tls:tls_ref */
HIDDEN int (*check_orig)(int); /* #reach_check:check_orig */

int reach_bump_fixed(int n);
int reach_calc_fixed(int n);
int reach_tls_get_fixed(void);
int reach_check_fixed(int n);

int reach_bump_fixed(int n)
{
	*counter_ref += 10 * n;
	return *counter_ref;
}

int reach_calc_fixed(int n)
{
	return scale_ref(n) + 1000;
}

int reach_tls_get_fixed(void)
{
	return *(int *)__tls_get_addr(&tls_ref) * 100;
}

int reach_check_fixed(int n)
{
	return check_orig(n) + 5000;
}
