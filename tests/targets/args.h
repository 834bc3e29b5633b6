/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * args.h - the many-arguments function of libargs.so.  With 10 integer and
 * 8 double arguments, a0..a5 travel in rdi, rsi, rdx, rcx, r8, r9, a6..a9
 * on the stack, d0..d7 in xmm0..xmm7: the new version must see all of
 * them exactly as the caller passed them.
 *
 * args_sum() returns args_checksum_old() of its arguments; the patched
 * version returns args_checksum_new(), which weighs every argument by its
 * position, so a swapped, shifted or clobbered one changes the result.
 */
#ifndef TARGETS_ARGS_H
#define TARGETS_ARGS_H

#define ARGS_NINT 10
#define ARGS_NDBL 8

long long args_sum(int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, int a9, double d0, double d1,
		   double d2, double d3, double d4, double d5, double d6, double d7);

static inline long long args_checksum_old(const int *a, const double *d)
{
	long long s = 0;

	for (int i = 0; i < ARGS_NINT; i++)
		s += a[i];
	for (int i = 0; i < ARGS_NDBL; i++)
		s += (long long)d[i];
	return s;
}

static inline long long args_checksum_new(const int *a, const double *d)
{
	static const int weight[ARGS_NINT + ARGS_NDBL] = {
		2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61,
	};
	long long s = 0;

	for (int i = 0; i < ARGS_NINT; i++)
		s += (long long)a[i] * weight[i];
	/* the doubles are multiples of 1/8: times 8 they are exact integers */
	for (int i = 0; i < ARGS_NDBL; i++)
		s += (long long)(d[i] * 8) * weight[ARGS_NINT + i];
	return s;
}

/* The arguments the target passes for seed k: distinct, some negative,
 * the doubles with fractional parts. */
static inline void args_fill(int k, int *a, double *d)
{
	for (int i = 0; i < ARGS_NINT; i++)
		a[i] = (i % 2 ? -1 : 1) * (k * 100 + i + 1);
	for (int i = 0; i < ARGS_NDBL; i++)
		d[i] = k + i * 0.25 + 0.125 + (i % 3 ? 0.5 : 0);
}

#endif
