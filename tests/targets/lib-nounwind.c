/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-nounwind.c - libnounwind.so, built with -fno-asynchronous-unwind-tables
 * -fno-unwind-tables: nounwind_block() has no unwind information (no FDE
 * in .eh_frame), so a stack with it on cannot be walked reliably.  It
 * blocks in read(2), called from its own body.  Not patched.
 */
#include <unistd.h>

#include "libs.h"

int nounwind_block(int fd)
{
	unsigned char b;

	if (read(fd, &b, 1) != 1)
		return -1;
	return b + 1;
}
