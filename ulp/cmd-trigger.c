/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-trigger.c - ulp trigger: apply or revert a live patch in running
 * processes.  Ends with the summary line scripts grep:
 *   Processes patched: X, Skipped: Y, Failed: Z.
 */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/ulp-errors.h"
#include "ulp/commands.h"
#include "ulp/discover.h"
#include "ulp/fleet.h"
#include "ulp/interrupt.h"
#include "ulp/log.h"
#include "ulp/patch.h"
#include "ulp/proc.h"

#define DEFAULT_TIMEOUT_S 10
/* Processes patched at once: enough to overlap targets' runtime calls
 * with the controller's work on others on a small machine. */
#define DEFAULT_JOBS 8
#define MAX_JOBS     256

struct tally {
	unsigned patched, skipped, failed, inconsistent;
	unsigned rolled_back; /* counted in skipped */
};

static void tally_add(struct tally *t, enum trigger_outcome outcome)
{
	t->patched += outcome == OUTCOME_PATCHED;
	t->skipped += outcome == OUTCOME_SKIPPED;
	t->failed += outcome == OUTCOME_FAILED || outcome == OUTCOME_INCONSISTENT;
	t->inconsistent += outcome == OUTCOME_INCONSISTENT;
}

/* The phases of a patched process, in the order -v and --json give them. */
#define NPHASES 9
static const char *const phase_names[NPHASES] = { "inspect", "attach", "load",	"stop", "check",
						  "write",   "resume", "pause", "total" };

static void phases_of(const struct trigger_report *rep, uint64_t us[NPHASES])
{
	const uint64_t v[NPHASES] = { rep->inspect_us, rep->attach_us, rep->load_us,  rep->stop_us, rep->check_us,
				      rep->write_us,   rep->resume_us, rep->pause_us, rep->total_us };
	memcpy(us, v, sizeof(v));
}

/* -v: where the time went; one stable line each, for tests/bench to parse. */
static void report_phases(pid_t pid, const struct trigger_report *rep)
{
	uint64_t us[NPHASES];
	char line[512];
	size_t n = 0;
	phases_of(rep, us);
	for (size_t i = 0; i < NPHASES; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s %llu, ", phase_names[i],
				      (unsigned long long)us[i]);
	log_debug("pid %d: phases (us): %sstops %u, threads %u", pid, line, rep->attempts, rep->threads);
	log_debug("pid %d: load %.3f ms, stopped %.3f ms (%u stop%s), total %.3f ms", pid, rep->load_us / 1000.0,
		  rep->pause_us / 1000.0, rep->attempts, rep->attempts == 1 ? "" : "s", rep->total_us / 1000.0);
	if (rep->threads)
		log_debug("pid %d: stack check of %u thread%s took %.3f ms in the pause (%.1f us per thread)", pid,
			  rep->threads, rep->threads == 1 ? "" : "s", rep->check_us / 1000.0,
			  (double)rep->check_us / rep->threads);
}

/* What was done to a patched process, e.g. "reverted 2 patches on
 * 'libz.so.1' and applied '/p/fix.so'". */
static void done_text(const struct patch_file *pf, const struct trigger_opts *o, const struct trigger_report *rep,
		      char *buf, size_t cap)
{
	size_t n = 0;
	if (o->revert_all)
		n = (size_t)snprintf(buf, cap, "reverted %u patch%s on '%s'%s", rep->reverted,
				     rep->reverted == 1 ? "" : "es", o->revert_all, pf ? " and " : "");
	if (pf && n < cap)
		snprintf(buf + n, cap - n, "%s '%s'", o->revert ? "reverted" : "applied", pf->path);
}

static void report_print(pid_t pid, const char *comm, const struct patch_file *pf, const struct trigger_opts *o,
			 const struct trigger_report *rep)
{
	char done[PATH_MAX + 256];
	switch (rep->outcome) {
	case OUTCOME_PATCHED:
		done_text(pf, o, rep, done, sizeof(done));
		log_info("pid %d (%s): %s", pid, comm, done);
		report_phases(pid, rep);
		break;
	case OUTCOME_SKIPPED:
		log_info("pid %d (%s): SKIPPED: %s", pid, comm, rep->msg);
		break;
	case OUTCOME_INCONSISTENT:
	case OUTCOME_FAILED:
		log_error("%s", rep->msg);
		break;
	}
}

static const char *const outcome_names[] = {
	[OUTCOME_PATCHED] = "patched",
	[OUTCOME_SKIPPED] = "skipped",
	[OUTCOME_FAILED] = "failed",
	[OUTCOME_INCONSISTENT] = "inconsistent",
};

/* --json: one object per process; the human lines are not printed. */
static json_object *report_json(pid_t pid, const char *comm, const struct trigger_opts *opts,
				const struct trigger_report *rep)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "name", json_object_new_string(comm));
	json_object_object_add(o, "status", json_object_new_string(outcome_names[rep->outcome]));
	json_object_object_add(o, "reason", rep->outcome == OUTCOME_PATCHED ? NULL : json_object_new_string(rep->msg));
	if (rep->outcome == OUTCOME_PATCHED) {
		uint64_t us[NPHASES];
		phases_of(rep, us);
		json_object *ph = json_object_new_object();
		for (size_t i = 0; i < NPHASES; i++)
			json_object_object_add(ph, phase_names[i], json_object_new_int64((int64_t)us[i]));
		json_object_object_add(o, "phases_us", ph);
		json_object_object_add(o, "stops", json_object_new_int((int)rep->attempts));
	}
	if (opts->revert_all)
		json_object_object_add(o, "reverted_patches", json_object_new_int((int)rep->reverted));
	json_object_object_add(o, "rolled_back", json_object_new_boolean(rep->rolled_back));
	return o;
}

static json_object *document_new(const char *patch, const struct trigger_opts *o)
{
	json_object *doc = json_object_new_object();
	json_object_object_add(doc, "command", json_object_new_string("trigger"));
	json_object_object_add(doc, "patch", patch ? json_object_new_string(patch) : NULL);
	json_object_object_add(doc, "revert", json_object_new_boolean(o->revert));
	json_object_object_add(doc, "revert_all", o->revert_all ? json_object_new_string(o->revert_all) : NULL);
	return doc;
}

/*
 * The end of every trigger: the summary line, or with --json the document
 * with the same counts, the exit status and whether ulp was interrupted.
 */
static int trigger_finish(json_object *doc, const struct tally *t, int status)
{
	if (!doc) {
		printf("Processes patched: %u, Skipped: %u, Failed: %u.\n", t->patched, t->skipped, t->failed);
		return status;
	}
	json_object *sum = json_object_new_object();
	json_object_object_add(sum, "patched", json_object_new_int((int)t->patched));
	json_object_object_add(sum, "skipped", json_object_new_int((int)t->skipped));
	json_object_object_add(sum, "failed", json_object_new_int((int)t->failed));
	json_object_object_add(sum, "inconsistent", json_object_new_int((int)t->inconsistent));
	json_object_object_add(sum, "rolled_back", json_object_new_int((int)t->rolled_back));
	json_object_object_add(doc, "summary", sum);
	json_object_object_add(doc, "interrupted",
			       interrupted() ? json_object_new_string(strsignal(interrupted())) : NULL);
	json_object_object_add(doc, "exit_status", json_object_new_int(status));
	if (!json_object_object_get_ex(doc, "processes", NULL))
		json_object_object_add(doc, "processes", json_object_new_array());
	json_print(doc);
	return status;
}

static int timeout_parse(const char *s, int *ret_ms)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || v <= 0 || v > 86400)
		return -EINVAL;
	*ret_ms = (int)(v * 1000);
	return 0;
}

/* The first process that makes --all-or-nothing roll back, for messages. */
static void rollback_cause(const pid_t *pids, size_t n, const struct trigger_report *reps, char *buf, size_t cap)
{
	for (size_t i = 0; i < n; i++)
		if (reps[i].outcome == OUTCOME_FAILED || reps[i].outcome == OUTCOME_INCONSISTENT) {
			snprintf(buf, cap, "process %d failed", pids[i]);
			return;
		}
	if (interrupted())
		snprintf(buf, cap, "ulp was interrupted (%s)", strsignal(interrupted()));
	else
		buf[0] = '\0';
}

/*
 * --all-or-nothing: if a process failed (or ulp was interrupted), every
 * process this run patched gets the opposite operation, so that the run
 * changed nothing.  Those are then reported SKIPPED "rolled back"; one
 * that cannot be rolled back keeps the patch and is reported
 * INCONSISTENT: the processes no longer agree.  Return how many were
 * rolled back.
 */
static unsigned rollback(const pid_t *pids, size_t n, const struct patch_file *pf, const struct trigger_opts *o,
			 unsigned jobs, struct trigger_report *reps)
{
	char why[128];
	rollback_cause(pids, n, reps, why, sizeof(why));
	if (!why[0])
		return 0;
	pid_t *back = calloc(n, sizeof(*back));
	size_t *at = calloc(n, sizeof(*at));
	struct trigger_report *undo = calloc(n, sizeof(*undo));
	size_t m = 0;
	for (size_t i = 0; back && at && undo && i < n; i++)
		if (reps[i].outcome == OUTCOME_PATCHED) {
			back[m] = pids[i];
			at[m++] = i;
		}
	struct trigger_opts inverse = *o;
	inverse.revert = !o->revert;
	/* Half a rollback is worse than none: a signal that came before it
	 * does not stop it (a new one does). */
	interrupt_take();
	if (m)
		fleet_trigger(back, m, pf, &inverse, jobs, undo);
	unsigned rolled = 0;
	for (size_t k = 0; k < m; k++) {
		struct trigger_report *rep = &reps[at[k]];
		char msg[sizeof(rep->msg)];
		if (undo[k].outcome == OUTCOME_PATCHED) {
			snprintf(msg, sizeof(msg), "rolled back (--all-or-nothing: %s)", why);
			rep->outcome = OUTCOME_SKIPPED;
			rep->rolled_back = true;
			rolled++;
		} else {
			snprintf(msg, sizeof(msg), "process %d keeps what this run did: rolling it back failed: %s",
				 back[k], undo[k].msg);
			rep->outcome = OUTCOME_INCONSISTENT;
		}
		memcpy(rep->msg, msg, sizeof(msg));
	}
	free(back);
	free(at);
	free(undo);
	return rolled;
}

int cmd_trigger(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "revert", no_argument, NULL, 'R' },
		{ "revert-all", required_argument, NULL, 'A' },
		{ "all-or-nothing", no_argument, NULL, 'O' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "check-stack", no_argument, NULL, 'c' },
		{ "no-stack-check", no_argument, NULL, 'N' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct trigger_opts o = { .timeout_ms = DEFAULT_TIMEOUT_S * 1000 };
	const char *spec = NULL;
	unsigned jobs = DEFAULT_JOBS;
	bool json = false, all_or_nothing = false;
	char *end;
	int opt;
	while ((opt = getopt_long(argc, argv, "p:cj:" COMMON_SHORTOPTS, opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			spec = optarg;
			break;
		case 'R':
			o.revert = true;
			break;
		case 'A':
			o.revert_all = optarg;
			break;
		case 'O':
			all_or_nothing = true;
			break;
		case 'T':
			if (timeout_parse(optarg, &o.timeout_ms) < 0) {
				log_error("invalid --timeout '%s': give seconds, e.g. --timeout=10", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c': /* the stack check is the default; accepted for compatibility */
			break;
		case 'N':
			o.no_stack_check = true;
			break;
		case 'J':
			json = true;
			break;
		case 'j':
			jobs = (unsigned)strtoul(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > MAX_JOBS) {
				log_error("invalid --jobs '%s': give 1 to %d", optarg, MAX_JOBS);
				return EXIT_USAGE;
			}
			break;
		default: {
			int r = common_option(opt, "trigger");
			if (r >= 0)
				return r;
		}
		}
	}
	/* The patch file is optional only with --revert-all=LIB. */
	const char *file = optind == argc - 1 ? argv[optind] : NULL;
	if (optind < argc - 1 || (!file && !o.revert_all)) {
		command_usage("trigger");
		return EXIT_USAGE;
	}
	if (o.revert && o.revert_all) {
		log_error("--revert and --revert-all cannot be combined: --revert-all=LIB [FILE] reverts every "
			  "patch on LIB and applies FILE");
		return EXIT_USAGE;
	}
	if (o.revert_all && all_or_nothing) {
		log_error("--all-or-nothing cannot undo --revert-all yet: run them separately");
		return EXIT_USAGE;
	}
	if (o.revert_all && !*o.revert_all) {
		log_error("--revert-all needs a library: --revert-all=libfoo.so.1, or --revert-all=target for "
			  "the patch's own");
		return EXIT_USAGE;
	}
	if (o.revert_all && strcmp(o.revert_all, "target") == 0 && !file) {
		log_error("--revert-all=target names the target of the patch file: give one, or name the library");
		return EXIT_USAGE;
	}

	interrupt_install();
	struct patch_file patch = PATCH_FILE_INIT, *pf = NULL;
	if (file) {
		int r = patch_file_open(file, &patch);
		if (r < 0) {
			log_error_errno(r, "cannot use live patch '%s'", file);
			struct tally none = { .failed = 1 };
			return trigger_finish(json ? document_new(file, &o) : NULL, &none, EXIT_FAILED);
		}
		pf = &patch;
		if (o.revert_all && strcmp(o.revert_all, "target") == 0)
			o.revert_all = pf->c.target_name;
	}
	pid_t *pids = NULL;
	size_t n = 0;
	int r = discover_pids(spec, &pids, &n);
	if (r < 0) {
		log_error_errno(r, "cannot list processes");
		patch_file_release(&patch);
		return EXIT_FAILED;
	}
	if (n == 0)
		log_warn("no process matches%s%s", spec ? " " : "", spec ? spec : " (none has libpulp.so loaded)");

	struct tally t = { 0 };
	bool named = discover_is_pid(spec);
	struct trigger_report *reps = calloc(n ? n : 1, sizeof(*reps));
	if (!reps) {
		log_error_errno(-ENOMEM, "cannot patch %zu processes", n);
		free(pids);
		patch_file_release(&patch);
		return EXIT_FAILED;
	}
	fleet_trigger(pids, n, pf, &o, jobs, reps);
	/* A process found by its name or its runtime may exit before or
	 * during its turn: it is gone, which is not a failure. */
	for (size_t i = 0; i < n; i++)
		if (!named && reps[i].outcome == OUTCOME_FAILED &&
		    (reps[i].code == -ESRCH || reps[i].code == -ULP_E_EXITED)) {
			reps[i].outcome = OUTCOME_SKIPPED;
			snprintf(reps[i].msg, sizeof(reps[i].msg), "process %d exited before it could be patched",
				 pids[i]);
		}
	int sig = interrupted();
	unsigned rolled = all_or_nothing ? rollback(pids, n, pf, &o, jobs, reps) : 0;

	json_object *doc = json ? document_new(pf ? pf->path : NULL, &o) : NULL;
	json_object *procs = json ? json_object_new_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		char comm[64] = "?"; /* a process that has exited has no name any more */
		proc_comm(pids[i], comm, sizeof(comm));
		tally_add(&t, reps[i].outcome);
		if (json)
			json_object_array_add(procs, report_json(pids[i], comm, &o, &reps[i]));
		else
			report_print(pids[i], comm, pf, &o, &reps[i]);
	}
	if (json)
		json_object_object_add(doc, "processes", procs);
	free(reps);
	free(pids);
	patch_file_release(&patch);
	if (rolled)
		log_error("--all-or-nothing: the %u process%s this run had patched %s rolled back", rolled,
			  rolled == 1 ? "" : "es", rolled == 1 ? "was" : "were");
	int status = t.inconsistent ? EXIT_INCONSISTENT : t.failed ? EXIT_FAILED : t.patched ? EXIT_OK : EXIT_NOTHING;
	if (sig && !t.inconsistent) {
		log_error("interrupted (%s): the processes not reported as patched were left as they were",
			  strsignal(sig));
		status = EXIT_FAILED;
	}
	t.rolled_back = rolled;
	return trigger_finish(doc, &t, status);
}
