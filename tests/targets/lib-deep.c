/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-deep.c - libdeep.so: deep_rec() recurses n levels and blocks in
 * read(2) at the bottom, so a thread can be held n + 1 frames deep: noipa
 * (the compiler would inline a few levels into each other) and
 * -fno-optimize-sibling-calls make each level a real frame, entered
 * through the patchable entry.  deep_outer() is the frame below all of
 * them; deep_value() is never on the stack.
 */
#include <unistd.h>

#include "libs.h"

__attribute__((noipa)) int deep_rec(int n, int fd)
{
	unsigned char b;

	if (n <= 0) {
		if (read(fd, &b, 1) != 1)
			return -1;
		return b;
	}
	return deep_rec(n - 1, fd) + 1;
}

int deep_outer(int n, int fd)
{
	return deep_rec(n, fd);
}

int deep_value(int n)
{
	return n + 1;
}
