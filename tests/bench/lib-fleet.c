/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-fleet.c - libbenchfleet.so, loaded only by fleet-prog: a trigger of
 * its patch concerns the fleet benchmark's processes and no other.
 */
#include "bench-libs.h"

int fleet_value(int n)
{
	return n + 1;
}
