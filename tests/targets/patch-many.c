/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-many.c - new version of many_value() (libmany.so). */
#include "libs.h"

int many_value_v2(int n);

int many_value_v2(int n)
{
	return n + 300;
}
