/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calls.c - the calls section: what a call costs through a patched entry,
 * against the same function unpatched and against the same code built
 * without patchable entries.
 *
 * One call-prog (see call-prog.c) with the runtime preloaded measures
 * every call path and function R times ("run R"), then is patched with
 * `ulp trigger` (call_livepatch.so: callp_add by an identical body), runs
 * again, is reverted, runs a third time.  The figures are per call,
 * loop included: the differences are what matters, and the ones between
 * functions measured in the same rounds are immune to the machine
 * drifting between stages (a VM's neighbours, its clock).  Cycles: this machine
 * may not give access to the cycle counter (perf stat may say "not
 * supported" in a VM), so the ticks of the TSC are reported next to the
 * nanoseconds: reference cycles at the TSC's fixed rate, not core cycles.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bench.h"

#define DEFAULT_ROUNDS 31
#define QUICK_ROUNDS   7
#define CALLS	       "4000000"

enum { UNPATCHED, PATCHED, REVERTED, NSTAGES };
enum { NPATHS = 3, NFUNCS = 3 };
enum { FN_PATCHABLE, FN_UNPATCHED, FN_PLAIN };

static const char *const stage_names[NSTAGES] = { "unpatched", "patched", "reverted" };
static const char *const path_names[NPATHS] = { "plt", "ptr", "chain" };
static const char *const func_names[NFUNCS] = { "patchable", "unpatched", "plain" };

struct call_figures {
	struct samples ns[NSTAGES][NPATHS][NFUNCS];
	struct samples tsc[NSTAGES][NPATHS][NFUNCS];
	struct samples tsc_per_ns;
};

static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* "run R", and the lines "m PATH FUNC ns X tsc Y" up to "done". */
static int rounds_run(struct child *c, int stage, int rounds, struct call_figures *f)
{
	char cmd[32], line[256], path[16], func[16];
	double ns, tsc;
	snprintf(cmd, sizeof(cmd), "run %d", rounds);
	if (child_ask(c, cmd, "m ", line, sizeof(line), 120000) < 0)
		return -1;
	for (;;) {
		if (strcmp(line, "done") == 0)
			return 0;
		int p = -1, fn = -1;
		if (sscanf(line, "m %15s %15s ns %lf tsc %lf", path, func, &ns, &tsc) == 4) {
			p = name_index(path_names, NPATHS, path);
			fn = name_index(func_names, NFUNCS, func);
		}
		if (p < 0 || fn < 0) {
			fprintf(stderr, "ulp-bench: call-prog said '%s'\n", line);
			return -1;
		}
		samples_add(&f->ns[stage][p][fn], ns);
		samples_add(&f->tsc[stage][p][fn], tsc);
		samples_add(&f->tsc_per_ns, tsc / ns);
		if (child_read_line(c, line, sizeof(line), 120000) < 0) {
			fprintf(stderr, "ulp-bench: call-prog stopped answering\n");
			return -1;
		}
	}
}

static int patch_switch(struct child *c, bool revert)
{
	char pidbuf[16], container[4096], line[64];
	const char *argv[7];
	int n = 0;
	argv[n++] = bench_ulp();
	argv[n++] = "trigger";
	argv[n++] = "-p";
	argv[n++] = pidbuf;
	if (revert)
		argv[n++] = "--revert";
	argv[n++] = container;
	argv[n] = NULL;
	snprintf(pidbuf, sizeof(pidbuf), "%d", c->pid);
	bench_file("call_livepatch.so", container, sizeof(container));
	struct cmd_result res;
	int patched = -1, skipped, failed;
	int r = cmd_run(argv, NULL, 60000, &res);
	if (r == 0 && (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0 ||
		       trigger_summary(res.out, &patched, &skipped, &failed) < 0 || patched != 1)) {
		fprintf(stderr, "ulp-bench: the trigger on call-prog failed:\n%s%s", res.out, res.err);
		r = -1;
	}
	cmd_result_release(&res);
	if (r == 0)
		r = child_ask(c, "marker", revert ? "marker 1" : "marker 2", line, sizeof(line), 10000);
	return r;
}

static json_object *pair_json(struct samples *ns, struct samples *tsc)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ns", samples_json(ns));
	json_object_object_add(o, "tsc", samples_json(tsc));
	return o;
}

/* A difference of medians: (stage a, function a) - (stage b, function b). */
static const struct difference {
	const char *key, *title;
	int stage_a, fn_a, stage_b, fn_b;
} diffs[] = {
	/* the trampoline's cost, in the same rounds: drift cannot touch it */
	{ "vs_unpatched_same_rounds", "patched - unpatched", PATCHED, FN_PATCHABLE, PATCHED, FN_UNPATCHED },
	/* the same function before it was patched: a later time window */
	{ "vs_same_function_before", "patched - same fn before", PATCHED, FN_PATCHABLE, UNPATCHED, FN_PATCHABLE },
	{ "vs_no_entries_same_rounds", "patched - no entries", PATCHED, FN_PATCHABLE, PATCHED, FN_PLAIN },
	/* the 2-byte NOP an unpatched patchable entry executes */
	{ "unpatched_vs_no_entries", "unpatched - no entries", UNPATCHED, FN_UNPATCHED, UNPATCHED, FN_PLAIN },
};

#define NDIFFS (sizeof(diffs) / sizeof(diffs[0]))

static json_object *difference_json(struct call_figures *f, int p, const struct difference *d)
{
	struct samples *a = &f->ns[d->stage_a][p][d->fn_a], *b = &f->ns[d->stage_b][p][d->fn_b];
	struct samples *ta = &f->tsc[d->stage_a][p][d->fn_a], *tb = &f->tsc[d->stage_b][p][d->fn_b];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ns", json_object_new_double(samples_median(a) - samples_median(b)));
	json_object_object_add(o, "tsc", json_object_new_double(samples_median(ta) - samples_median(tb)));
	/* the fastest rounds: what is left when nothing else disturbs */
	json_object_object_add(o, "ns_of_min", json_object_new_double(samples_min(a) - samples_min(b)));
	json_object_object_add(o, "tsc_of_min", json_object_new_double(samples_min(ta) - samples_min(tb)));
	return o;
}

static json_object *calls_json(struct call_figures *f, int rounds)
{
	json_object *o = json_object_new_object(), *over = json_object_new_object();
	json_object_object_add(o, "calls_per_measurement", json_object_new_int(atoi(CALLS)));
	json_object_object_add(o, "rounds", json_object_new_int(rounds));
	json_object_object_add(o, "tsc_ticks_per_ns", json_object_new_double(samples_median(&f->tsc_per_ns)));
	for (int s = 0; s < NSTAGES; s++) {
		json_object *st = json_object_new_object();
		for (int p = 0; p < NPATHS; p++) {
			json_object *po = json_object_new_object();
			for (int fn = 0; fn < NFUNCS; fn++)
				json_object_object_add(po, func_names[fn],
						       pair_json(&f->ns[s][p][fn], &f->tsc[s][p][fn]));
			json_object_object_add(st, path_names[p], po);
		}
		json_object_object_add(o, stage_names[s], st);
	}
	for (int p = 0; p < NPATHS; p++) {
		json_object *po = json_object_new_object();
		for (size_t k = 0; k < NDIFFS; k++)
			json_object_object_add(po, diffs[k].key, difference_json(f, p, &diffs[k]));
		json_object_object_add(over, path_names[p], po);
	}
	json_object_object_add(o, "patched_overhead", over);
	return o;
}

static void calls_print(struct call_figures *f, int rounds)
{
	printf("\nCall cost, ns per call (TSC ticks), medians of %d rounds of %s calls; TSC %.3f ticks/ns\n", rounds,
	       CALLS, samples_median(&f->tsc_per_ns));
	printf("%-6s %-10s %-18s %-18s %s\n", "path", "stage", "callp (patched)", "callq (unpatched)",
	       "calln (no entries)");
	for (int p = 0; p < NPATHS; p++)
		for (int st = 0; st < NSTAGES; st++) {
			printf("%-6s %-10s", path_names[p], stage_names[st]);
			for (int fn = 0; fn < NFUNCS; fn++)
				printf(" %8.3f (%5.2f)   ", samples_median(&f->ns[st][p][fn]),
				       samples_median(&f->tsc[st][p][fn]));
			printf("\n");
		}
	printf("\nDifferences, ns (TSC ticks): of the medians / of the fastest rounds\n%-6s", "path");
	for (size_t k = 0; k < NDIFFS; k++)
		printf(" %-29s", diffs[k].title);
	printf("\n");
	for (int p = 0; p < NPATHS; p++) {
		printf("%-6s", path_names[p]);
		for (size_t k = 0; k < NDIFFS; k++) {
			const struct difference *d = &diffs[k];
			struct samples *a = &f->ns[d->stage_a][p][d->fn_a], *b = &f->ns[d->stage_b][p][d->fn_b];
			struct samples *ta = &f->tsc[d->stage_a][p][d->fn_a], *tb = &f->tsc[d->stage_b][p][d->fn_b];
			char cell[64];
			snprintf(cell, sizeof(cell), "%+.2f (%+.2f) / %+.2f (%+.2f)",
				 samples_median(a) - samples_median(b), samples_median(ta) - samples_median(tb),
				 samples_min(a) - samples_min(b), samples_min(ta) - samples_min(tb));
			printf(" %-29s", cell);
		}
		printf("\n");
	}
}

json_object *bench_calls(const struct bench_opts *o)
{
	int rounds = o->reps ? o->reps : o->quick ? QUICK_ROUNDS : DEFAULT_ROUNDS;
	char prog[4096];
	const char *argv[] = { bench_file("call-prog", prog, sizeof(prog)), CALLS, NULL };
	struct call_figures *f = calloc(1, sizeof(*f));
	struct child c;
	json_object *out = NULL;
	if (!f)
		return NULL;
	fprintf(stderr, "# calls: %d rounds of %s calls per path and function, 3 stages\n", rounds, CALLS);
	int r = child_start(&c, argv, true, NULL);
	if (r == 0) {
		r = rounds_run(&c, UNPATCHED, rounds, f);
		if (r == 0)
			r = patch_switch(&c, false);
		if (r == 0)
			r = rounds_run(&c, PATCHED, rounds, f);
		if (r == 0)
			r = patch_switch(&c, true);
		if (r == 0)
			r = rounds_run(&c, REVERTED, rounds, f);
		child_stop(&c);
	}
	if (r == 0) {
		out = calls_json(f, rounds);
		calls_print(f, rounds);
	}
	for (int s = 0; s < NSTAGES; s++)
		for (int p = 0; p < NPATHS; p++)
			for (int fn = 0; fn < NFUNCS; fn++) {
				samples_release(&f->ns[s][p][fn]);
				samples_release(&f->tsc[s][p][fn]);
			}
	samples_release(&f->tsc_per_ns);
	free(f);
	return out;
}
