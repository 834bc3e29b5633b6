/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-bid.c - new version of bid_value() (libbid.so). */
#include "libs.h"

int bid_value_v2(int n);

int bid_value_v2(int n)
{
	return n + 500;
}
