/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-callp.c - libbenchcallp.so, built with patchable entries: the
 * function whose call cost the calls benchmark measures unpatched, patched
 * and reverted.  lib-callq.c is the same code, patchable and never
 * patched; lib-calln.c the same code built without patchable entries;
 * patch-call.c the same code again as the replacement: keep the four
 * bodies identical.
 */
#include "bench-libs.h"

int callp_add(int x)
{
	return x + 1;
}

/* Patched with callp_add: tells the benchmark the patch is in. */
int callp_marker(void)
{
	return 1;
}
