/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-deep.c - new version of deep_value() (libdeep.so). */
#include "libs.h"

int deep_value_v2(int n);

int deep_value_v2(int n)
{
	return n + 50;
}
