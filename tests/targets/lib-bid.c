/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-bid.c - libbid.so, built twice with different build-ids. */
#include "libs.h"

int bid_value(int n)
{
	return n + 1;
}
