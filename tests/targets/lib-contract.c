/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-contract.c - libcontract.so: two functions sharing the meaning of a
 * struct pair.  contract_make() fills it, blocking halfway in read(2) so
 * that a thread can be held between the two halves; contract_use() reads
 * it.  The patch (patch-contract.c) changes the layout for both.
 *
 * contract_work() holds make()'s result across the call to use(), so the
 * patch must replace it too: the stack check only guarantees that no
 * thread is *inside* a replaced function.  A thread in an unpatched
 * work() between the two calls would be "consistent", and after the
 * switch would hand an old pair to the new use().
 */
#include <unistd.h>

#include "libs.h"

void contract_make(struct pair *p, int x, int fd)
{
	unsigned char b;

	p->v = x;
	if (read(fd, &b, 1) != 1)
		p->v = -x;
	p->tag = CONTRACT_TAG_OLD;
}

int contract_use(const struct pair *p)
{
	if (p->tag != CONTRACT_TAG_OLD)
		return CONTRACT_MIXED;
	return p->v + 1;
}

int contract_work(int x, int fd)
{
	struct pair p;

	contract_make(&p, x, fd);
	return contract_use(&p);
}
