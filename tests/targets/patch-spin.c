/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-spin.c - new version of spin_until() (libspin.so). */
#include "libs.h"

int spin_until_v2(struct spin_ctl *c);

int spin_until_v2(struct spin_ctl *c)
{
	__atomic_store_n(&c->inside, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&c->leave, __ATOMIC_ACQUIRE))
		continue;
	__atomic_store_n(&c->inside, 0, __ATOMIC_RELEASE);
	return SPIN_NEW;
}
