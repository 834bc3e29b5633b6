/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-broken.c - a patch for plain_value() that the runtime cannot load:
 * it needs a symbol that no object defines, so dlopen(RTLD_NOW) fails
 * (revert-all.sh: an invalid new patch reverts nothing). */
#include "libs.h"

int plain_value_broken(int n);
int ulp_test_nowhere(int n); /* defined by no object */

int plain_value_broken(int n)
{
	return ulp_test_nowhere(n);
}
