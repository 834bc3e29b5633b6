/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-cet.c - libcet.so, built with -fcf-protection: entries start with
 * endbr64 before the patchable NOPs. */
#include "libs.h"

int cet_value(int n)
{
	return 2 * n;
}
