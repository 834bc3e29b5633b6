/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-nopatch.c - libnopatch.so, built WITHOUT patchable entries: the
 * packer must refuse a patch for it. */
#include "libs.h"

int nopatch_value(int n)
{
	return n + 1;
}
