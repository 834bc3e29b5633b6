/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-check.c - ulp check -p PID [--json] FILE.so: exit 1 if the patch is
 * applied, 0 if not, 2 on error (libpulp's convention, kept for scripts).
 * Reads the registry without stopping the process, unless an earlier ulp
 * was killed half-way through a switch there: that is undone first, so
 * that the answer is what the process runs.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "libpulp/ulp-errors.h"
#include "ulp/commands.h"
#include "ulp/log.h"
#include "ulp/patch.h"
#include "ulp/runtime.h"

#define CHECK_ERROR	2
#define CHECK_REPAIR_MS 10000

/* --json: the answer and the exit status in one document on stdout. */
static void check_json(pid_t pid, const char *patch, int r, uint32_t state, int status)
{
	json_object *doc = json_object_new_object();
	json_object_object_add(doc, "command", json_object_new_string("check"));
	json_object_object_add(doc, "patch", json_object_new_string(patch));
	json_object_object_add(doc, "pid", json_object_new_int(pid));
	json_object_object_add(doc, "status",
			       json_object_new_string(r < 0			   ? "error"
						      : state == ULP_PATCH_APPLIED ? "applied"
										   : "not applied"));
	json_object_object_add(doc, "reason", r < 0 ? json_object_new_string(ulp_strerror(r)) : NULL);
	json_object_object_add(doc, "exit_status", json_object_new_int(status));
	json_print(doc);
}

int cmd_check(int argc, char **argv)
{
	pid_t pid;
	bool json = false;
	int r = command_parse_pid_json(argc, argv, "check", 1, &pid, &json);
	if (r >= 0)
		return r == EXIT_OK ? EXIT_OK : CHECK_ERROR;
	struct patch_file pf = PATCH_FILE_INIT;
	struct runtime_view v = RUNTIME_VIEW_INIT;
	uint32_t state = 0;
	/* Only the patch's id is read: nothing of the file goes into the
	 * process, so who could have written it does not matter here. */
	trust_policy_set(TRUST_UNCHECKED, NULL);
	r = patch_file_open(argv[optind], &pf);
	if (r < 0)
		log_error_errno(r, "cannot use live patch '%s'", argv[optind]);
	struct trigger_report rep;
	bool said = r < 0;
	if (r == 0 && patch_repair(pid, CHECK_REPAIR_MS, &rep) < 0) {
		log_error("%s", rep.msg);
		r = rep.code;
		said = true;
	}
	if (r == 0 && (r = runtime_view_open(pid, &v)) == 0)
		r = runtime_patch_state(&v.mem, &v.rt, pf.c.digest, &state);
	if (r < 0 && !said)
		log_error_errno(r, "cannot check process %d", pid);
	int status = r < 0 ? CHECK_ERROR : state == ULP_PATCH_APPLIED ? 1 : 0;
	if (json)
		check_json(pid, argv[optind], r, state, status);
	else if (r == 0)
		log_info("pid %d: '%s' %s", pid, pf.path, state == ULP_PATCH_APPLIED ? "applied" : "not applied");
	runtime_view_close(&v);
	patch_file_release(&pf);
	return status;
}
