/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-exe.c - new version of exe_value(), a function of the target
 * executable itself (target.c). */
int exe_value_v2(int n);

int exe_value_v2(int n)
{
	return n + 70;
}
