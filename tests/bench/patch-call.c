/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-call.c - the replacements for libbenchcallp.so: the same body as
 * callp_add(), so a patched call differs from an unpatched one only by the
 * jumps of the trampoline.
 */
#include "bench-libs.h"

int callp_add_v2(int x);
int callp_marker_v2(void);

int callp_add_v2(int x)
{
	return x + 1;
}

int callp_marker_v2(void)
{
	return 2;
}
