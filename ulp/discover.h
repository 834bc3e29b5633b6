/* SPDX-License-Identifier: GPL-2.0-or-later */
/* discover.h - which processes a command acts on. */
#ifndef ULP_DISCOVER_H
#define ULP_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/**
 * discover_pids() - the processes selected by @spec: a pid, a wildcard
 * matched against process names, or (NULL) every process with the
 * runtime loaded.  A pid is returned even if no such process exists, so
 * the caller reports it.  Never includes the calling process.
 */
/** discover_is_pid() - whether @spec names one process by its pid. */
bool discover_is_pid(const char *spec);

int discover_pids(const char *spec, pid_t **ret_pids, size_t *ret_n);

/** discover_user_parse() - the uid of @user, a name or a numeric id. */
int discover_user_parse(const char *user, uid_t *ret_uid);

/** discover_owned_by() - whether process @pid belongs to @uid (-u). */
bool discover_owned_by(pid_t pid, uid_t uid);

#endif
