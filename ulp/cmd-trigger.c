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
#include "ulp/patch-list.h"
#include "ulp/patch.h"
#include "ulp/proc.h"
#include "ulp/trust.h"

#define DEFAULT_TIMEOUT_S 10
/* Processes patched at once: enough to overlap targets' runtime calls
 * with the controller's work on others on a small machine. */
#define DEFAULT_JOBS 8

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

/* @many: several patch files, so a skip says which one it is about. */
static void report_print(pid_t pid, const char *comm, const struct patch_file *pf, const struct trigger_opts *o,
			 bool many, const struct trigger_report *rep)
{
	char done[PATH_MAX + 256];
	switch (rep->outcome) {
	case OUTCOME_PATCHED:
		done_text(pf, o, rep, done, sizeof(done));
		log_info("pid %d (%s): %s", pid, comm, done);
		report_phases(pid, rep);
		break;
	case OUTCOME_SKIPPED:
		log_info("pid %d (%s): SKIPPED: %s%s%s%s", pid, comm, many ? "'" : "", many ? pf->path : "",
			 many ? "': " : "", rep->msg);
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
static json_object *report_json(pid_t pid, const char *comm, const struct patch_file *pf,
				const struct trigger_opts *opts, const struct trigger_report *rep)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "name", json_object_new_string(comm));
	json_object_object_add(o, "patch", pf ? json_object_new_string(pf->path) : NULL);
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
 * with the same counts, the exit status and the signal @sig that
 * interrupted ulp (0: none).
 */
static int trigger_finish(json_object *doc, const struct tally *t, int status, int sig)
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
	json_object_object_add(doc, "interrupted", sig ? json_object_new_string(strsignal(sig)) : NULL);
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

/*
 * One run: every patch file on every process.  reps[k * n + i] is patch k
 * on process i; with --revert-all and no file there is one pass, with no
 * patch file.
 */
struct run {
	struct trigger_opts o;
	struct patch_file *pfs; /* in the order they are applied */
	size_t npatches, passes;
	pid_t *pids;
	size_t n;
	struct trigger_report *reps;
	unsigned jobs;
	struct progress progress;
};

static const struct patch_file *run_patch(const struct run *run, size_t k)
{
	return run->npatches ? &run->pfs[k] : NULL;
}

static const char *progress_what(const struct run *run)
{
	if (run->o.revert_all)
		return run->npatches ? "reverting and patching" : "reverting";
	return run->o.revert ? "reverting" : "patching";
}

/* The first failure that makes --all-or-nothing roll back, for messages. */
static void rollback_cause(const struct run *run, char *buf, size_t cap)
{
	for (size_t j = 0; j < run->passes * run->n; j++)
		if (run->reps[j].outcome == OUTCOME_FAILED || run->reps[j].outcome == OUTCOME_INCONSISTENT) {
			snprintf(buf, cap, "process %d failed", run->pids[j % run->n]);
			return;
		}
	if (interrupted())
		snprintf(buf, cap, "ulp was interrupted (%s)", strsignal(interrupted()));
	else
		buf[0] = '\0';
}

/*
 * Undo pass @k of @run: each process it patched gets the opposite
 * operation.  Those are then reported SKIPPED "rolled back"; one that
 * cannot be rolled back keeps the change and is reported INCONSISTENT:
 * the processes no longer agree.
 */
static void rollback_pass(struct run *run, size_t k, const char *why)
{
	struct trigger_report *reps = &run->reps[k * run->n];
	pid_t *back = calloc(run->n ? run->n : 1, sizeof(*back));
	size_t *at = calloc(run->n ? run->n : 1, sizeof(*at));
	struct trigger_report *undo = calloc(run->n ? run->n : 1, sizeof(*undo));
	size_t m = 0;
	for (size_t i = 0; i < run->n; i++) {
		if (reps[i].outcome != OUTCOME_PATCHED)
			continue;
		if (back && at && undo) {
			back[m] = run->pids[i];
			at[m++] = i;
			continue;
		}
		reps[i].outcome = OUTCOME_INCONSISTENT;
		snprintf(reps[i].msg, sizeof(reps[i].msg),
			 "process %d keeps what this run did: out of memory for the rollback", run->pids[i]);
	}
	struct trigger_opts inverse = run->o;
	inverse.revert = !run->o.revert;
	progress_begin(&run->progress, "rolling back", run->passes - 1 - k, run->passes, m);
	if (m && run->o.revert_all) /* several steps per process: one at a time */
		for (size_t j = 0; j < m; j++) {
			patch_undo_revert_all(back[j], run_patch(run, k), &run->o, &reps[at[j]], &undo[j]);
			progress_step(&run->progress, undo[j].outcome);
		}
	else if (m)
		fleet_trigger(back, m, run_patch(run, k), &inverse, run->jobs, undo, &run->progress);
	progress_end(&run->progress);
	for (size_t j = 0; j < m; j++) {
		struct trigger_report *rep = &reps[at[j]];
		char msg[sizeof(rep->msg)];
		if (undo[j].outcome == OUTCOME_PATCHED) {
			snprintf(msg, sizeof(msg), "rolled back (--all-or-nothing: %s)", why);
			rep->outcome = OUTCOME_SKIPPED;
			rep->rolled_back = true;
		} else {
			snprintf(msg, sizeof(msg), "process %d keeps what this run did: rolling it back failed: %.400s",
				 back[j], undo[j].msg);
			rep->outcome = OUTCOME_INCONSISTENT;
		}
		memcpy(rep->msg, msg, sizeof(msg));
	}
	free(back);
	free(at);
	free(undo);
}

/* --all-or-nothing: if anything failed, undo every pass, the last first. */
static void rollback(struct run *run)
{
	char why[128];
	rollback_cause(run, why, sizeof(why));
	if (!why[0])
		return;
	/* Half a rollback is worse than none: a signal that came before it
	 * does not stop it (a new one does). */
	interrupt_take();
	for (size_t k = run->passes; k-- > 0;)
		rollback_pass(run, k, why);
}

/* What happened to process @i over every pass, for the summary line. */
static void tally_process(struct tally *t, const struct run *run, size_t i)
{
	bool patched = false, failed = false, inconsistent = false, rolled = false;
	for (size_t k = 0; k < run->passes; k++) {
		const struct trigger_report *rep = &run->reps[k * run->n + i];
		patched |= rep->outcome == OUTCOME_PATCHED;
		failed |= rep->outcome == OUTCOME_FAILED;
		inconsistent |= rep->outcome == OUTCOME_INCONSISTENT;
		rolled |= rep->rolled_back;
	}
	tally_add(t, inconsistent ? OUTCOME_INCONSISTENT
		     : failed	  ? OUTCOME_FAILED
		     : patched	  ? OUTCOME_PATCHED
				  : OUTCOME_SKIPPED);
	t->rolled_back += rolled;
}

/* Set once a patch file was refused as unsafe: its error is said. */
static bool unsafe_refused;

/* The unsafe files said so far: a rollback reopens the same old patch
 * files for each process, and one line each is enough. */
#define UNSAFE_SAID_MAX 16
static char unsafe_said[UNSAFE_SAID_MAX][PATH_MAX];

static bool unsafe_said_before(const char *file)
{
	size_t i = 0;
	for (; i < UNSAFE_SAID_MAX && unsafe_said[i][0]; i++)
		if (strcmp(unsafe_said[i], file) == 0)
			return true;
	if (i < UNSAFE_SAID_MAX)
		snprintf(unsafe_said[i], PATH_MAX, "%s", file);
	return false;
}

/*
 * What ulp/trust.c found wrong with a patch file, for every file this run
 * opens: the ones named, and with --all-or-nothing the older ones a
 * rollback applies again.
 */
static void unsafe_notice(const struct trust_finding *f, bool accepted)
{
	unsafe_refused |= !accepted;
	if (unsafe_said_before(f->file))
		return;
	if (accepted) {
		log_warn("--force: using live patch '%s' though %s", f->file, f->why);
		return;
	}
	log_error("cannot use live patch '%s': %s; %s, or give --force to accept it", f->file, f->why, f->fix);
}

/* Open every patch file before touching any process: one that cannot be
 * used stops the run with nothing changed. */
static int patches_open(const char *arg, bool recursive, bool revert, struct run *run)
{
	struct patch_list l = PATCH_LIST_INIT;
	int r = patch_list_expand(arg, recursive, &l);
	if (r < 0) {
		log_error_errno(r, "cannot list the live patches '%s'%s", arg,
				r == -EINVAL ? ": with --recursive only the file name may hold wildcards" : "");
		return r;
	}
	if (l.n == 0) {
		log_error("no file matches '%s'%s", arg, recursive ? " here or in any directory below" : "");
		patch_list_release(&l);
		return -ENOENT;
	}
	run->pfs = calloc(l.n, sizeof(*run->pfs));
	r = run->pfs ? 0 : log_error_errno(-ENOMEM, "cannot read %zu live patches", l.n);
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		r = patch_file_open(l.paths[i], &run->pfs[i]);
		if (r == -EPERM && unsafe_refused)
			break; /* said, with why and what to do */
		if (r < 0)
			log_error("cannot use live patch '%s': %s%s", l.paths[i], ulp_strerror(r),
				  l.n > 1 ? "; no process was touched" : "");
		else
			run->npatches++;
	}
	/* A revert takes the patches out newest first. */
	for (size_t i = 0; r == 0 && revert && i < run->npatches / 2; i++) {
		struct patch_file t = run->pfs[i];
		run->pfs[i] = run->pfs[run->npatches - 1 - i];
		run->pfs[run->npatches - 1 - i] = t;
	}
	patch_list_release(&l);
	return r;
}

static void run_release(struct run *run)
{
	for (size_t k = 0; run->pfs && k < run->npatches; k++)
		patch_file_release(&run->pfs[k]);
	free(run->pfs);
	free(run->pids);
	free(run->reps);
}

/* The report: a line (or a JSON object) per process and patch, the
 * summary.  @sig: the signal that interrupted ulp, or 0. */
static int run_report(struct run *run, const char *arg, bool json, int sig)
{
	struct tally t = { 0 };
	json_object *doc = json ? document_new(run->npatches == 1 ? run->pfs[0].path : arg, &run->o) : NULL;
	json_object *procs = json ? json_object_new_array() : NULL;
	if (json && run->npatches > 1) {
		json_object *list = json_object_new_array();
		for (size_t k = 0; k < run->npatches; k++)
			json_object_array_add(list, json_object_new_string(run->pfs[k].path));
		json_object_object_add(doc, "patches", list);
	}
	for (size_t k = 0; k < run->passes; k++)
		for (size_t i = 0; i < run->n; i++) {
			const struct patch_file *pf = run_patch(run, k);
			const struct trigger_report *rep = &run->reps[k * run->n + i];
			char comm[64] = "?"; /* a process that has exited has no name any more */
			proc_comm(run->pids[i], comm, sizeof(comm));
			if (json)
				json_object_array_add(procs, report_json(run->pids[i], comm, pf, &run->o, rep));
			else
				report_print(run->pids[i], comm, pf, &run->o, run->npatches > 1, rep);
		}
	for (size_t i = 0; i < run->n; i++)
		tally_process(&t, run, i);
	if (json)
		json_object_object_add(doc, "processes", procs);
	if (t.rolled_back)
		log_error("--all-or-nothing: the %u process%s this run had patched %s rolled back", t.rolled_back,
			  t.rolled_back == 1 ? "" : "es", t.rolled_back == 1 ? "was" : "were");
	int status = t.inconsistent ? EXIT_INCONSISTENT : t.failed ? EXIT_FAILED : t.patched ? EXIT_OK : EXIT_NOTHING;
	if (sig && !t.inconsistent) {
		log_error("interrupted (%s): the processes not reported as patched were left as they were",
			  strsignal(sig));
		status = EXIT_FAILED;
	}
	return trigger_finish(doc, &t, status, sig);
}

/* Options that do not go together, each refused with what to do instead. */
static bool options_agree(const struct trigger_opts *o, const char *file)
{
	if (o->revert && o->revert_all) {
		log_error("--revert and --revert-all cannot be combined: --revert-all=LIB [FILE] reverts every "
			  "patch on LIB and applies FILE");
		return false;
	}
	if (o->revert_all && !*o->revert_all) {
		log_error("--revert-all needs a library: --revert-all=libfoo.so.1, or --revert-all=target for "
			  "the patch's own");
		return false;
	}
	if (o->revert_all && strcmp(o->revert_all, "target") == 0 && !file) {
		log_error("--revert-all=target names the target of the patch file: give one, or name the library");
		return false;
	}
	return true;
}

int cmd_trigger(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "revert", no_argument, NULL, 'R' },
		{ "revert-all", required_argument, NULL, 'A' },
		{ "all-or-nothing", no_argument, NULL, 'O' },
		{ "recursive", no_argument, NULL, 'C' },
		{ "retries", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "check-stack", no_argument, NULL, 'c' },
		{ "no-stack-check", no_argument, NULL, 'N' },
		{ "disable-seccomp", no_argument, NULL, 'S' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "force", no_argument, NULL, 'F' },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct trigger_opts o = { .timeout_ms = DEFAULT_TIMEOUT_S * 1000 };
	const char *spec = NULL;
	unsigned jobs = DEFAULT_JOBS;
	bool json = false, all_or_nothing = false, recursive = false, force = false;
	char *end;
	int opt;
	while ((opt = getopt_long(argc, argv, "p:cj:r:" COMMON_SHORTOPTS, opts, NULL)) != -1) {
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
		case 'C':
			recursive = true;
			break;
		case 'r':
			o.max_stops = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o.max_stops < 1 || o.max_stops > 1000000) {
				log_error("invalid -r '%s': give how many times to stop the process, at least 1",
					  optarg);
				return EXIT_USAGE;
			}
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
		case 'S':
			o.disable_seccomp = true;
			break;
		case 'J':
			json = true;
			break;
		case 'F':
			force = true;
			break;
		case 'j':
			jobs = (unsigned)strtoul(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > FLEET_MAX_JOBS) {
				log_error("invalid --jobs '%s': give 1 to %d", optarg, FLEET_MAX_JOBS);
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
	if (!options_agree(&o, file))
		return EXIT_USAGE;

	trust_policy_set(force ? TRUST_FORCE : TRUST_REFUSE, unsafe_notice);
	interrupt_install();
	struct run run = { .o = o, .jobs = jobs };
	if (file && patches_open(file, recursive, o.revert, &run) < 0) {
		struct tally none = { .failed = 1 };
		run_release(&run);
		return trigger_finish(json ? document_new(file, &o) : NULL, &none, EXIT_FAILED, 0);
	}
	if (run.npatches > 1 && o.revert_all) {
		log_error("--revert-all takes one patch file; '%s' names %zu", file, run.npatches);
		run_release(&run);
		return EXIT_USAGE;
	}
	if (run.npatches && o.revert_all && strcmp(o.revert_all, "target") == 0)
		run.o.revert_all = run.pfs[0].c.target_name;
	run.passes = run.npatches ? run.npatches : 1;

	int r = discover_pids(spec, &run.pids, &run.n);
	if (r < 0) {
		log_error_errno(r, "cannot list processes");
		run_release(&run);
		return EXIT_FAILED;
	}
	if (run.n == 0)
		log_warn("no process matches%s%s", spec ? " " : "", spec ? spec : " (none has libpulp.so loaded)");
	run.reps = calloc(run.passes * run.n + 1, sizeof(*run.reps));
	if (!run.reps) {
		log_error_errno(-ENOMEM, "cannot patch %zu processes", run.n);
		run_release(&run);
		return EXIT_FAILED;
	}
	bool named = discover_is_pid(spec);
	run.progress.on = progress_wanted(run.n);
	for (size_t k = 0; k < run.passes; k++) {
		struct trigger_report *reps = &run.reps[k * run.n];
		progress_begin(&run.progress, progress_what(&run), k, run.passes, run.n);
		fleet_trigger(run.pids, run.n, run_patch(&run, k), &run.o, jobs, reps, &run.progress);
		progress_end(&run.progress);
		/* A process found by its name or its runtime may exit before or
		 * during its turn: it is gone, which is not a failure. */
		for (size_t i = 0; i < run.n; i++)
			if (!named && reps[i].outcome == OUTCOME_FAILED &&
			    (reps[i].code == -ESRCH || reps[i].code == -ULP_E_EXITED)) {
				reps[i].outcome = OUTCOME_SKIPPED;
				snprintf(reps[i].msg, sizeof(reps[i].msg),
					 "process %d exited before it could be patched", run.pids[i]);
			}
	}
	int sig = interrupted(); /* a rollback forgets it */
	if (all_or_nothing)
		rollback(&run);
	r = run_report(&run, file, json, sig ? sig : interrupted());
	run_release(&run);
	return r;
}
