/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "libpulp/ulp-errors.h"
#include "ulp/log.h"

int log_level = LOG_NORMAL;

static void vlog(FILE *f, const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	fputs(prefix, f);
	vfprintf(f, fmt, ap);
	if (suffix)
		fprintf(f, ": %s", suffix);
	fputc('\n', f);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(stderr, "ulp: error: ", fmt, ap, NULL);
	va_end(ap);
}

int log_error_errno(int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(stderr, "ulp: error: ", fmt, ap, ulp_strerror(r < 0 ? r : -r));
	va_end(ap);
	return r;
}

void log_warn(const char *fmt, ...)
{
	if (log_level < LOG_NORMAL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(stderr, "ulp: warning: ", fmt, ap, NULL);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	if (log_level < LOG_NORMAL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(stdout, "", fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	if (log_level < LOG_VERBOSE)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(stderr, "ulp: ", fmt, ap, NULL);
	va_end(ap);
}
