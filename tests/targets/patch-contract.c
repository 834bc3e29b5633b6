/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-contract.c - new versions of the three functions of
 * libcontract.so.  The new pair holds 2x and another tag: an old pair is
 * refused by the new use() (CONTRACT_MIXED) and a new pair by the old one.
 * The new work() calls the others through their old names, that is,
 * through the patched entries.
 */
#include <unistd.h>

#include "libs.h"

void contract_make_v2(struct pair *p, int x, int fd);
int contract_use_v2(const struct pair *p);
int contract_work_v2(int x, int fd);

void contract_make_v2(struct pair *p, int x, int fd)
{
	unsigned char b;

	p->v = 2 * x;
	if (read(fd, &b, 1) != 1)
		p->v = -x;
	p->tag = CONTRACT_TAG_NEW;
}

int contract_use_v2(const struct pair *p)
{
	if (p->tag != CONTRACT_TAG_NEW)
		return CONTRACT_MIXED;
	return p->v / 2 + 1000;
}

int contract_work_v2(int x, int fd)
{
	struct pair p;

	contract_make(&p, x, fd);
	return contract_use(&p);
}
