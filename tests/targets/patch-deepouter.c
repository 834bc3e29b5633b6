/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-deepouter.c - new version of deep_outer() (libdeep.so). */
#include "libs.h"

int deep_outer_v2(int n, int fd);

int deep_outer_v2(int n, int fd)
{
	return deep_rec(n, fd) + 100000;
}
