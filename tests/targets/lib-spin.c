/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-spin.c - libspin.so: spin_until() runs in its own body, not in a system
 * call, until told to leave: a signal that arrives lands on top of it.
 */
#include "libs.h"

int spin_until(struct spin_ctl *c)
{
	__atomic_store_n(&c->inside, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&c->leave, __ATOMIC_ACQUIRE))
		continue;
	__atomic_store_n(&c->inside, 0, __ATOMIC_RELEASE);
	return SPIN_OLD;
}
