/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * msgq.c - the runtime's log: a ring of text that `ulp messages` reads
 * through /proc/PID/mem.  The runtime never writes to the target's file
 * descriptors; this ring is its only voice.
 *
 *   buf: | ... oldest text ... | newest text |  ... wraps ...
 *          head % size  = where the next byte goes; head counts every byte
 *          ever written, so a reader knows how much has been overwritten.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "libpulp/internal.h"

struct ulp_msgq ulp_msgq = { .size = ULP_MSGQ_SIZE };

static void ring_put(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		ulp_msgq.buf[(ulp_msgq.head + i) % ULP_MSGQ_SIZE] = s[i];
	/* Publish the bytes before the count that makes them visible. */
	__atomic_store_n(&ulp_msgq.head, ulp_msgq.head + len, __ATOMIC_RELEASE);
}

void msg_log(const char *fmt, ...)
{
	char line[ULP_MSG_MAX + 32];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int n = snprintf(line, sizeof(line), "[%lld.%03ld] ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);

	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	ring_put(line, len);
}
