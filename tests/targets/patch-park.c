/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-park.c - new version of park() (libpark.so). */
#include <unistd.h>

#include "libs.h"

int park_v2(int fd);

int park_v2(int fd)
{
	unsigned char b;

	if (read(fd, &b, 1) != 1)
		return -1;
	return b + 100;
}
