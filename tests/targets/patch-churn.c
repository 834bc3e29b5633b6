/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-churn.c - new version of churn_value() (libchurn.so). */
#include "locks-churn.h"

int churn_value_v2(void);

int churn_value_v2(void)
{
	return CHURN_NEW;
}
