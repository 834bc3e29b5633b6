/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-gate.c - libgate.so: gate() never blocks; its new version
 * (patch-gate.c) does, so a thread can be held inside the patch.
 */
#include "libs.h"

int gate(int fd)
{
	(void)fd;
	return GATE_OLD;
}
