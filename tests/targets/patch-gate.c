/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-gate.c - new version of gate() (libgate.so): it blocks in read(2)
 * inside its own body, so a thread can sit in the patch while it is
 * reverted.  stack-revert-refused.sh finds the line marked GATE_READ.
 */
#include <unistd.h>

#include "libs.h"

int gate_v2(int fd);

int gate_v2(int fd)
{
	unsigned char b;

	if (read(fd, &b, 1) != 1) /* GATE_READ */
		return -1;
	return b + 200;
}
