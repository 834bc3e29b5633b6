/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-sse.c - new version of sse_value() (libsse.so). */
#include "libs.h"

int sse_value_v2(int n);

int sse_value_v2(int n)
{
	return n + 100;
}
