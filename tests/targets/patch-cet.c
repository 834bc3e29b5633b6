/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-cet.c - new version of cet_value() (libcet.so). */
#include "libs.h"

int cet_value_v2(int n);

int cet_value_v2(int n)
{
	return 3 * n;
}
