/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-callq.c - libbenchcallq.so: callp_add()'s code (lib-callp.c), built
 * with patchable entries too but never patched.  Measured in the same
 * rounds as the patched callp_add(), it is the unpatched reference that
 * the machine's drift between the stages of the benchmark cannot move.
 */
#include "bench-libs.h"

int callq_add(int x)
{
	return x + 1;
}
