/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-check.c - ulp check -p PID FILE.so: exit 1 if the patch is applied,
 * 0 if not, 2 on error (libpulp's convention, kept for scripts).
 * Reads the registry without stopping the process.
 */
#include <stdio.h>

#include "libpulp/ulp-errors.h"
#include "ulp/commands.h"
#include "ulp/log.h"
#include "ulp/patch.h"
#include "ulp/runtime.h"

#define CHECK_ERROR 2

int cmd_check(int argc, char **argv)
{
	pid_t pid;
	int r = command_parse_pid(argc, argv, "check", 1, &pid);
	if (r >= 0)
		return r == EXIT_OK ? EXIT_OK : CHECK_ERROR;
	struct patch_file pf = PATCH_FILE_INIT;
	r = patch_file_open(argv[optind], &pf);
	if (r < 0) {
		log_error_errno(r, "cannot use live patch '%s'", argv[optind]);
		return CHECK_ERROR;
	}
	struct runtime_view v = RUNTIME_VIEW_INIT;
	uint32_t state = 0;
	r = runtime_view_open(pid, &v);
	if (r == 0)
		r = runtime_patch_state(&v.mem, &v.rt, pf.c.digest, &state);
	if (r < 0)
		log_error_errno(r, "cannot check process %d", pid);
	else
		log_info("pid %d: '%s' %s", pid, pf.path, state == ULP_PATCH_APPLIED ? "applied" : "not applied");
	runtime_view_close(&v);
	patch_file_release(&pf);
	return r < 0 ? CHECK_ERROR : state == ULP_PATCH_APPLIED ? 1 : 0;
}
