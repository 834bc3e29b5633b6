/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-deeprec.c - new version of deep_rec() (libdeep.so).  It recurses
 * through the old name, so each level runs the new code.
 */
#include <unistd.h>

#include "libs.h"

int deep_rec_v2(int n, int fd);

int deep_rec_v2(int n, int fd)
{
	unsigned char b;

	if (n <= 0) {
		if (read(fd, &b, 1) != 1)
			return -1;
		return b + 5000;
	}
	return deep_rec(n - 1, fd) + 1;
}
