/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-unused.c - new version of unused_value() (libunused.so). */
#include "libs.h"

int unused_value_v2(int n);

int unused_value_v2(int n)
{
	return -n;
}
