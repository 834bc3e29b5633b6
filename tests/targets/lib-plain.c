/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-plain.c - libplain.so, the plain patchable library. */
#include "libs.h"

int plain_value(int n)
{
	return n + 1;
}
