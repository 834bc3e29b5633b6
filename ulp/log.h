/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - the command layer's messages.  Library code returns codes; only
 * commands log.  log_error_errno() returns its code so that
 *   return log_error_errno(r, "cannot attach to %d", pid);
 * reads as one step.  Messages start lowercase, carry no final full stop
 * and say what to do next where there is something to do.
 */
#ifndef ULP_LOG_H
#define ULP_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_QUIET = 0, /* errors only */
	LOG_NORMAL = 1,
	LOG_VERBOSE = 2,
};

extern int log_level;

__attribute__((format(printf, 1, 2))) void log_error(const char *fmt, ...);
__attribute__((format(printf, 2, 3))) int log_error_errno(int r, const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_debug(const char *fmt, ...);

#endif
