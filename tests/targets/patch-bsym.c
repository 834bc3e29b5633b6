/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-bsym.c - new version of bsym_inner() (libbsym.so). */
#include "libs.h"

int bsym_inner_v2(int n);

int bsym_inner_v2(int n)
{
	return n + 2;
}
