/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ulp/fault.h"

static struct {
	bool read;
	char name[16];
	unsigned long left; /* passes until the fault, counting this one */
} fault;

void fault_point(const char *name)
{
	if (!fault.read) {
		fault.read = true;
		const char *v = getenv("ULP_FAULT");
		if (v && *v) {
			size_t n = strcspn(v, ":");
			if (n < sizeof(fault.name)) {
				memcpy(fault.name, v, n);
				fault.left = v[n] == ':' ? strtoul(v + n + 1, NULL, 10) : 1;
			}
		}
	}
	if (!fault.name[0] || strcmp(fault.name, name) != 0 || fault.left == 0)
		return;
	if (--fault.left == 0)
		raise(SIGKILL);
}
