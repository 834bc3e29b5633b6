/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-plain.c - new version of plain_value() (libplain.so). */
#include "libs.h"

int plain_value_v2(int n);

int plain_value_v2(int n)
{
	return n + 1000;
}
