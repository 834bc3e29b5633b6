/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-bsym.c - libbsym.so, linked with -Bsymbolic: bsym_outer() calls
 * bsym_inner() directly inside the library, not through the dynamic
 * symbol lookup, so only a patch at the function's entry can redirect it.
 */
#include "libs.h"

__attribute__((noinline)) int bsym_inner(int n)
{
	return n + 1;
}

int bsym_outer(int n)
{
	return 10 * bsym_inner(n);
}
