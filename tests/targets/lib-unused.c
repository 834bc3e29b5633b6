/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-unused.c - libunused.so, which no target loads. */
#include "libs.h"

int unused_value(int n)
{
	return n;
}
