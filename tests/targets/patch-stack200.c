/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-stack200.c - plain_value() answering 200: one of three patches
 * stacked on the same function (patch-stacking.sh). */
#include "libs.h"

int plain_value_200(int n);

int plain_value_200(int n)
{
	(void)n;
	return 200;
}
