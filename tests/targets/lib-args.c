/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-args.c - libargs.so: a function with 10 int and 8 double arguments. */
#include "args.h"

long long args_sum(int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, int a9, double d0, double d1,
		   double d2, double d3, double d4, double d5, double d6, double d7)
{
	int a[ARGS_NINT] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, a9 };
	double d[ARGS_NDBL] = { d0, d1, d2, d3, d4, d5, d6, d7 };

	return args_checksum_old(a, d);
}
