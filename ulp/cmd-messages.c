/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd-messages.c - ulp messages -p PID: the runtime's log from inside. */
#include <stdio.h>
#include <stdlib.h>

#include "libpulp/ulp-errors.h"
#include "ulp/commands.h"
#include "ulp/log.h"
#include "ulp/runtime.h"

int cmd_messages(int argc, char **argv)
{
	static const struct option opts[] = {
		{"process", required_argument, NULL, 'p'},
		COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	const char *spec = NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "p:" COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (opt == 'p') {
			spec = optarg;
			continue;
		}
		int r = common_option(opt, "messages");
		if (r >= 0)
			return r;
	}
	pid_t pid;
	char *end;
	if (!spec || optind != argc || (pid = (pid_t)strtol(spec, &end, 10)) <= 0 || *end) {
		command_usage("messages");
		return EXIT_USAGE;
	}
	struct proc_maps maps = PROC_MAPS_INIT;
	struct remote mem = REMOTE_INIT;
	struct runtime rt;
	int r = proc_maps_read(pid, &maps);
	if (r == 0)
		r = remote_open(pid, &mem);
	if (r == 0)
		r = runtime_find(&mem, &maps, &rt);
	if (r == 0)
		r = runtime_messages_print(&mem, &rt, stdout);
	if (r < 0)
		log_error_errno(r, "cannot read the messages of process %d", pid);
	remote_close(&mem);
	proc_maps_release(&maps);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}
