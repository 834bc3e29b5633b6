/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-nopatch.c - a replacement for nopatch_value() that cannot be used. */
#include "libs.h"

int nopatch_value_v2(int n);

int nopatch_value_v2(int n)
{
	return n + 2;
}
