/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-messages.c - ulp messages -p PID: the runtime's log from inside. */
#include <stdio.h>

#include "libpulp/ulp-errors.h"
#include "ulp/commands.h"
#include "ulp/log.h"
#include "ulp/runtime.h"

int cmd_messages(int argc, char **argv)
{
	pid_t pid;
	int r = command_parse_pid(argc, argv, "messages", 0, &pid);
	if (r >= 0)
		return r;
	struct runtime_view v = RUNTIME_VIEW_INIT;
	r = runtime_view_open(pid, &v);
	if (r == 0)
		r = runtime_messages_print(&v.mem, &v.rt, stdout);
	if (r < 0)
		log_error_errno(r, "cannot read the messages of process %d", pid);
	runtime_view_close(&v);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}
