/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-reachexe.c - prog_bump() of reach-prog, using its static counter. */
__attribute__((visibility("hidden"))) int *prog_counter_ref; /* #prog_counter:prog_counter_ref */

int prog_bump_fixed(int n);

int prog_bump_fixed(int n)
{
	*prog_counter_ref += 100 * n;
	return *prog_counter_ref;
}
