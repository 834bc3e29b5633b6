/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gold-exe.c - an executable target for the packer's golden tests. */
#include <stdio.h>

int gold_work(int x);

__attribute__((noinline)) int gold_work(int x)
{
	return x * 2;
}

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", gold_work(argc));
	return 0;
}
