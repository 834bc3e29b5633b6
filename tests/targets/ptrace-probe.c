/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptrace-probe.c - may this machine ptrace a process that is not our
 * child?  The integration tests skip (exit 77) when it may not (a seccomp
 * profile that forbids ptrace, Yama ptrace_scope 2 or 3 for a non-root
 * user...), and only then.
 *
 * Usage: ptrace-probe PID   - PID: a process of ours, not our descendant.
 * Exit: 0 allowed, 77 forbidden, 1 some other error.
 *
 *        ptrace-probe --hold PID - stay PID's tracer, as a debugger would,
 *        so that nobody else can attach: prints "ready" once attached and
 *        detaches (exits) after "quit" on its input, answering "bye".
 *        The tracee runs on (PTRACE_SEIZE does not stop it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>

static int hold(pid_t pid)
{
	char line[64];

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0) {
		fprintf(stderr, "ptrace-probe: cannot trace %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		if (strncmp(line, "quit", 4) == 0)
			break;
	printf("bye\n");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc == 3 && strcmp(argv[1], "--hold") == 0)
		return hold((pid_t)atoi(argv[2]));
	if (argc != 2) {
		fprintf(stderr, "usage: ptrace-probe PID | --hold PID\n");
		return 1;
	}
	pid = (pid_t)atoi(argv[1]);
	/* SEIZE does not stop the tracee; our exit detaches it */
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) == 0)
		return 0;
	fprintf(stderr, "ptrace-probe: cannot trace %d: %s\n", (int)pid, strerror(errno));
	return errno == EPERM || errno == ENOSYS || errno == EACCES ? 77 : 1;
}
