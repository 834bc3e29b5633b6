/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-locksdl.c - liblocksdl.so, opened and closed over and over by
 * locks-prog's threads (dlopen/dlclose take the loader's locks). */
#include "locks-churn.h"

int locksdl_value(int n)
{
	return n + 5;
}
