/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-calln.c - libbenchcalln.so: callp_add()'s code (lib-callp.c) built
 * without patchable entries, the reference of the calls benchmark.
 */
#include "bench-libs.h"

int calln_add(int x)
{
	return x + 1;
}
