/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gold-dup.c - a second static 'gold_dup', to make the name ambiguous. */
int gold_dup_b(int x);
extern int gold_value;

__attribute__((noinline)) static int gold_dup(int x)
{
	return x - gold_value;
}

int gold_dup_b(int x)
{
	return gold_dup(x);
}
