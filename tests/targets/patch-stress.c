/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-stress.c - new version of stress_value() (libstress.so). */
#include "libs.h"

int stress_value_v2(void);

int stress_value_v2(void)
{
	return STRESS_NEW;
}
