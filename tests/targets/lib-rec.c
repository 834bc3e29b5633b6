/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-rec.c - librec.so: a recursive function.  Built with
 * -fno-optimize-sibling-calls so the compiler keeps the recursion (no
 * tail-recursion elimination), every level entering through the entry.
 */
#include "libs.h"

int rec_sum(int n)
{
	if (n <= 0)
		return 0;
	return n + rec_sum(n - 1);
}
