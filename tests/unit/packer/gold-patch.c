/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gold-patch.c - the patch object of the packer's golden tests. */
int gold_add_v2(int a, int b);
int gold_sub_v2(int a, int b);
int gold_scale_v2(int x);
int gold_work_v2(int x);

int gold_add_v2(int a, int b)
{
	return a + b + 1;
}

int gold_sub_v2(int a, int b)
{
	return a - b - 1;
}

int gold_scale_v2(int x)
{
	return x * 4;
}

int gold_work_v2(int x)
{
	return x * 3;
}
