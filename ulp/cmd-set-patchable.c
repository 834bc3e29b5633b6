/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-set-patchable.c - ulp set_patchable enable|disable [-p PID|WILDCARD]
 * [-u USER]: turn live patching on or off in running processes (without
 * -p: every process with the runtime loaded; -u: only those of USER).
 *
 * The switch is the runtime's `enabled` word (and `disabled_by`, which
 * says who turned it off), written through /proc/PID/mem without stopping
 * the process: the runtime reads it only when a controller borrows a
 * thread to prepare a patch, and an aligned 32-bit store is seen whole.
 * Patches already applied stay applied; a disabled process refuses new
 * ones and reverts (trigger reports it SKIPPED).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/ulp-errors.h"
#include "ulp/commands.h"
#include "ulp/discover.h"
#include "ulp/log.h"
#include "ulp/proc.h"
#include "ulp/runtime.h"

static int set_one(pid_t pid, bool enable)
{
	struct runtime_view v = RUNTIME_VIEW_INIT;
	uint32_t by = enable ? 0 : ULP_DISABLED_BY_SET_PATCHABLE, on = enable;
	int r = runtime_view_open(pid, &v);
	if (r == 0)
		r = remote_write(&v.mem, v.rt.addr + offsetof(struct ulp_runtime, disabled_by), &by, sizeof(by));
	if (r == 0)
		r = remote_write(&v.mem, v.rt.addr + offsetof(struct ulp_runtime, enabled), &on, sizeof(on));
	runtime_view_close(&v);
	return r;
}

int cmd_set_patchable(int argc, char **argv)
{
	static const struct option opts[] = {
		SELECTION_LONGOPTS,
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct selection sel = { 0 };
	int opt;
	while ((opt = getopt_long(argc, argv, SELECTION_SHORTOPTS COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (selection_option(opt, &sel))
			continue;
		int r = common_option(opt, "set_patchable");
		if (r >= 0)
			return r;
	}
	bool enable = optind == argc - 1 && strcmp(argv[optind], "enable") == 0;
	if (optind != argc - 1 || (!enable && strcmp(argv[optind], "disable") != 0)) {
		command_usage("set_patchable");
		return EXIT_USAGE;
	}
	pid_t *pids = NULL;
	size_t n = 0;
	int r = command_select(&sel, &pids, &n);
	if (r >= 0)
		return r;
	unsigned changed = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		char comm[64] = "";
		proc_comm(pids[i], comm, sizeof(comm));
		r = set_one(pids[i], enable);
		if (r < 0) {
			failed++;
			log_error_errno(r, "cannot %s live patching in process %d", argv[optind], pids[i]);
			continue;
		}
		changed++;
		log_info("pid %d (%s): live patching %s", pids[i], comm, enable ? "enabled" : "disabled");
	}
	free(pids);
	if (!changed && !failed)
		log_warn("no process matches%s%s%s%s", sel.spec ? " " : "", sel.spec ? sel.spec : "",
			 sel.user ? " of user " : "", sel.user ? sel.user : "");
	printf("Processes changed: %u, Failed: %u.\n", changed, failed);
	return failed ? EXIT_FAILED : changed ? EXIT_OK : EXIT_NOTHING;
}
