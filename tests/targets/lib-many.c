/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-many.c - libmany.so, loaded only by many-prog. */
#include "libs.h"

int many_value(int n)
{
	return n + 3;
}
