/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-fleet.c - the new fleet_value() (libbenchfleet.so). */
#include "bench-libs.h"

int fleet_value_v2(int n);

int fleet_value_v2(int n)
{
	return n + 100;
}
