/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-park.c - libpark.so: park() blocks in read(2) inside its own body,
 * so a thread can be held inside the function a patch replaces.
 * stack-parked.sh finds the line marked PARK_READ in ulp's message.
 */
#include <unistd.h>

#include "libs.h"

int park(int fd)
{
	unsigned char b;

	if (read(fd, &b, 1) != 1) /* PARK_READ */
		return -1;
	return b + 1;
}
