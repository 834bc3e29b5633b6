/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib-sse.c - libsse.so, called by the SSE/AVX target between spins. */
#include "libs.h"

int sse_value(int n)
{
	return n + 1;
}
