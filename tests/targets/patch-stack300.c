/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-stack300.c - plain_value() answering 300: one of three patches
 * stacked on the same function (patch-stacking.sh). */
#include "libs.h"

int plain_value_300(int n);

int plain_value_300(int n)
{
	(void)n;
	return 300;
}
