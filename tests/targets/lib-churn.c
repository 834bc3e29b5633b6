/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-churn.c - libchurn.so, called by threads that are created and exit
 * continuously (churn-prog). */
#include "locks-churn.h"

int churn_value(void)
{
	return CHURN_OLD;
}
