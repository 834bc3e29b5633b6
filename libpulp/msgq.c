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
#include <string.h>
#include <sys/syscall.h>
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

/* Decimal digits of @v into @out (no terminator); returns how many. */
static size_t fmt_u64(char *out, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof(tmp));
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/*
 * The wall clock, from the kernel: the C library's clock_gettime() reads
 * the vDSO's data pages, which a process that never asked for the time
 * has not mapped yet; mapping them costs more than one system call, at
 * start-up and on the borrowed thread alike.
 */
uint64_t runtime_now(uint32_t *ret_ms)
{
	struct timespec ts = { 0 };
	arch_syscall2(SYS_clock_gettime, CLOCK_REALTIME, (long)&ts);
	if (ret_ms)
		*ret_ms = (uint32_t)(ts.tv_nsec / 1000000);
	return (uint64_t)ts.tv_sec;
}

/*
 * msg_log_ready() - the constructor's line, "[time] runtime ready in pid N"
 * plus @suffix, written without stdio: printf's code is a good part of
 * the pages a process would otherwise touch only because of the runtime.
 */
void msg_log_ready(uint64_t pid, const char *suffix)
{
	static const char ready[] = "] runtime ready in pid ";
	char line[128];
	uint32_t ms;
	size_t n = 0;
	line[n++] = '[';
	n += fmt_u64(line + n, runtime_now(&ms));
	/* ".mmm", as msg_log() writes it */
	line[n++] = '.';
	line[n++] = (char)('0' + ms / 100);
	line[n++] = (char)('0' + ms / 10 % 10);
	line[n++] = (char)('0' + ms % 10);
	memcpy(line + n, ready, sizeof(ready) - 1);
	n += sizeof(ready) - 1;
	n += fmt_u64(line + n, pid);
	for (; *suffix && n < sizeof(line) - 1; suffix++)
		line[n++] = *suffix;
	line[n++] = '\n';
	ring_put(line, n);
}

void msg_log(const char *fmt, ...)
{
	char line[ULP_MSG_MAX + 32];
	uint32_t ms;
	uint64_t sec = runtime_now(&ms);
	int n = snprintf(line, sizeof(line), "[%llu.%03u] ", (unsigned long long)sec, ms);

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
