/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptrace-probe.c - may this machine ptrace a process that is not our
 * child?  The integration tests skip (exit 77) when it may not (a seccomp
 * profile that forbids ptrace, Yama ptrace_scope 2 or 3 for a non-root
 * user...), and only then.
 *
 * Usage: ptrace-probe PID   - PID: a process of ours, not our descendant.
 * Exit: 0 allowed, 77 forbidden, 1 some other error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: ptrace-probe PID\n");
		return 1;
	}
	pid = (pid_t)atoi(argv[1]);
	/* SEIZE does not stop the tracee; our exit detaches it */
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) == 0)
		return 0;
	fprintf(stderr, "ptrace-probe: cannot trace %d: %s\n", (int)pid, strerror(errno));
	return errno == EPERM || errno == ENOSYS || errno == EACCES ? 77 : 1;
}
