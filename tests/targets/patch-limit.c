/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-limit.c - the fix of libreach.so's reach_limit (limit to 50), which
 * the compiler also inlined into reach_limited: limit-one.dsc replaces
 * only reach_limit (the packer refuses it), limit.dsc both.
 */
int reach_limit_fixed(int n);
int reach_limited_fixed(int n);

int reach_limit_fixed(int n)
{
	return n > 50 ? 50 : n;
}

int reach_limited_fixed(int n)
{
	return reach_limit_fixed(n) * 2;
}
