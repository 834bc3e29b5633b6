/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-rec.c - new version of rec_sum() (librec.so).  It recurses through
 * the old name, so every level goes through the patched entry again:
 * rec_sum(n) becomes the sum of squares 1..n only if each level does.
 */
#include "libs.h"

int rec_sum_v2(int n);

int rec_sum_v2(int n)
{
	if (n <= 0)
		return 0;
	return n * n + rec_sum(n - 1);
}
