/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-stack400.c - plain_value() answering 400: one of three patches
 * stacked on the same function (patch-stacking.sh). */
#include "libs.h"

int plain_value_400(int n);

int plain_value_400(int n)
{
	(void)n;
	return 400;
}
