/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gold-ver.c - two versions of gold_ver at different addresses (the way
 * glibc keeps memcpy@GLIBC_2.2.5 and memcpy@@GLIBC_2.14): a plain
 * 'gold_ver' is ambiguous to the packer.
 */
int gold_ver_v1(int x);
int gold_ver_v2(int x);

int gold_ver_v1(int x)
{
	return x + 1;
}

int gold_ver_v2(int x)
{
	return x + 2;
}

__asm__(".symver gold_ver_v1, gold_ver@GOLD_1");
__asm__(".symver gold_ver_v2, gold_ver@@GOLD_2");
