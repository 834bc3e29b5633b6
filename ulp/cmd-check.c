/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-check.c - ulp check -p PID FILE.so: exit 1 if the patch is applied,
 * 0 if not, 2 or more on error (libpulp's convention, kept for scripts).
 * Reads the registry without stopping the process.
 */
#include <stdio.h>
#include <stdlib.h>

#include "libpulp/ulp-errors.h"
#include "ulp/commands.h"
#include "ulp/discover.h"
#include "ulp/log.h"
#include "ulp/patch.h"
#include "ulp/runtime.h"

#define CHECK_ERROR 2

static int check_one(pid_t pid, const struct patch_file *pf, uint32_t *ret_state)
{
	struct proc_maps maps = PROC_MAPS_INIT;
	struct remote mem = REMOTE_INIT;
	struct runtime rt;
	int r = proc_maps_read(pid, &maps);
	if (r == 0)
		r = remote_open(pid, &mem);
	if (r == 0)
		r = runtime_find(&mem, &maps, &rt);
	if (r == 0)
		r = runtime_patch_state(&mem, &rt, pf->c.digest, ret_state);
	remote_close(&mem);
	proc_maps_release(&maps);
	return r;
}

int cmd_check(int argc, char **argv)
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
		int r = common_option(opt, "check");
		if (r >= 0)
			return r == EXIT_OK ? EXIT_OK : CHECK_ERROR;
	}
	pid_t pid;
	char *end;
	if (!spec || optind != argc - 1 || (pid = (pid_t)strtol(spec, &end, 10)) <= 0 || *end) {
		command_usage("check");
		return CHECK_ERROR;
	}
	struct patch_file pf = PATCH_FILE_INIT;
	int r = patch_file_open(argv[optind], &pf);
	if (r < 0) {
		log_error_errno(r, "cannot use live patch '%s'", argv[optind]);
		return CHECK_ERROR;
	}
	uint32_t state = 0;
	r = check_one(pid, &pf, &state);
	if (r < 0)
		log_error_errno(r, "cannot check process %d", pid);
	else
		log_info("pid %d: '%s' %s", pid, pf.path, state == ULP_PATCH_APPLIED ? "applied" : "not applied");
	patch_file_release(&pf);
	return r < 0 ? CHECK_ERROR : state == ULP_PATCH_APPLIED ? 1 : 0;
}
