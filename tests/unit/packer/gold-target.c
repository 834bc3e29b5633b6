/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gold-target.c - a target library for the packer's golden tests: an
 * exported function, a static one, a variable and (with gold-dup.c) two
 * static functions of the same name.
 */
int gold_dup_a(int x);
int gold_dup_b(int x);
int gold_add(int a, int b);
int gold_sub(int a, int b);

int gold_value = 3;

/* Static: reachable only through .symtab.  noinline keeps its symbol. */
__attribute__((noinline)) static int gold_scale(int x)
{
	return x * gold_value;
}

__attribute__((noinline)) static int gold_dup(int x)
{
	return x + gold_value;
}

int gold_dup_a(int x)
{
	return gold_dup(x);
}

int gold_add(int a, int b)
{
	return gold_scale(a) + b;
}

int gold_sub(int a, int b)
{
	return a - b;
}
