/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.c - the targets of the benchmark suite (issue 4), evaluated on
 * the figures of one run.  A MISS is printed and recorded, never an
 * error: the suite's exit status does not depend on it.
 *
 * Each target is judged on medians, except the call cost: over rounds of
 * millions of calls, whatever else the machine does only adds time, so
 * the fastest round of each function is compared (the medians are in the
 * calls table and the JSON document).  "Within noise" for the idle
 * throughput: the ratio with/without the runtime is off 1 by no more than
 * the noise of the runs (idle.c), or 1%, whichever is larger.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

struct target {
	const char *name;
	const char *unit;
	const char *limit_text;
	double value; /* NaN: not measured in this run */
	double limit; /* value <= limit passes */
	double extra; /* shown in brackets if not NaN */
	const char *extra_unit;
	const char *extra_key; /* its name in the JSON document */
};

static json_object *pause_config(json_object *doc, int threads, int functions)
{
	json_object *list = json_path(doc, "pause", NULL);
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *c = json_object_array_get_idx(list, i);
		if (json_object_get_int(json_path(c, "threads", NULL)) == threads &&
		    json_object_get_int(json_path(c, "functions", NULL)) == functions)
			return c;
	}
	return NULL;
}

static json_object *fleet_size(json_object *doc, int n)
{
	json_object *list = json_path(doc, "fleet", NULL);
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *s = json_object_array_get_idx(list, i);
		if (json_object_get_int(json_path(s, "processes", NULL)) == n)
			return s;
	}
	return NULL;
}

static double number(json_object *o)
{
	return o ? json_object_get_double(o) : NAN;
}

static struct target *target_add(struct target *t, int *n, const char *name, const char *unit, const char *limit_text,
				 double value, double limit)
{
	struct target *e = &t[(*n)++];
	*e = (struct target){ name, unit, limit_text, value, limit, NAN, NULL, NULL };
	return e;
}

static void target_extra(struct target *t, double extra, const char *unit, const char *key)
{
	t->extra = extra;
	t->extra_unit = unit;
	t->extra_key = key;
}

/* |ratio - 1| against the noise of the runs, at least 1%. */
static void idle_target(json_object *doc, int threads, struct target *t)
{
	json_object *list = json_path(doc, "idle", "throughput", NULL);
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i);
		if (json_object_get_int(json_path(e, "threads", NULL)) != threads)
			continue;
		double ratio = number(json_path(e, "ratio", NULL)), noise = number(json_path(e, "noise", NULL));
		t->value = 100 * fabs(ratio - 1);
		t->limit = 100 * fmax(noise, 0.01);
		target_extra(t, ratio, "ratio", "ratio");
	}
}

static int targets_fill(json_object *doc, struct target *t)
{
	json_object *c11 = pause_config(doc, 1, 1), *c64 = pause_config(doc, 64, 100), *f500 = fleet_size(doc, 500);
	json_object *plt = json_path(doc, "calls", "patched_overhead", "plt", "vs_unpatched_same_rounds", NULL);
	json_object *mem = json_path(doc, "idle", "memory", NULL);
	double pause11 = json_median(json_path(c11, "apply", "pause_us", NULL));
	double floor11 = json_median(json_path(c11, "floor", "pause_us", NULL));
	struct target *e;
	int n = 0;

	e = target_add(t, &n, "pause, 1 thread, 1-function patch", "us", "<= 200 us", pause11, 200);
	target_extra(e, floor11, "us floor", "floor_us");
	target_add(t, &n, "pause / floor, 1 thread, 1 function", "x", "<= 3x floor", pause11 / floor11, 3);
	e = target_add(t, &n, "pause, 64 threads, 100-function patch", "us", "<= 2000 us",
		       json_median(json_path(c64, "apply", "pause_us", NULL)), 2000);
	target_extra(e, json_median(json_path(c64, "floor", "pause_us", NULL)), "us floor", "floor_us");
	target_add(t, &n, "fleet, 500 processes: ms per process", "ms", "<= 0.2 ms",
		   json_median(json_path(f500, "apply", "per_process_ms", NULL)), 0.2);
	/* the fastest rounds: a disturbance only ever adds time to a round
	 * of millions of calls; the medians are in the calls table */
	e = target_add(t, &n, "patched - unpatched call, PLT (fastest)", "ns", "<= 0.5 ns (~1 cycle)",
		       number(json_path(plt, "ns_of_min", NULL)), 0.5);
	target_extra(e, number(json_path(plt, "tsc_of_min", NULL)), "TSC ticks", "tsc_ticks");
	idle_target(doc, 1, target_add(t, &n, "idle throughput, 1 thread: |ratio - 1|", "%", "within noise", NAN, NAN));
	idle_target(doc, 2,
		    target_add(t, &n, "idle throughput, 2 threads: |ratio - 1|", "%", "within noise", NAN, NAN));
	target_add(t, &n, "idle: virtual memory added (VmSize)", "KiB", "< 1024 KiB",
		   number(json_path(mem, "added_vmsize_kb", NULL)), 1024 - 1e-9);
	e = target_add(t, &n, "idle: resident memory added (VmRSS)", "KiB", "< 128 KiB",
		       number(json_path(mem, "added_rss_kb", NULL)), 128 - 1e-9);
	target_extra(e, number(json_path(mem, "added_rss_anon_kb", NULL)), "KiB RssAnon", "rss_anon_kb");
	return n;
}

static const char *verdict(const struct target *t)
{
	if (isnan(t->value) || isnan(t->limit))
		return "n/a";
	return t->value <= t->limit ? "PASS" : "MISS";
}

void report_targets(json_object *doc)
{
	struct target t[16];
	int n = targets_fill(doc, t);
	json_object *list = json_object_new_array();
	char value[64], limit[48];

	printf("\nTargets (medians of this run; the fastest rounds for the call cost; means for memory added; a MISS "
	       "never fails the suite)\n");
	printf("%-42s %-30s %-22s %s\n", "target", "measured", "limit", "verdict");
	for (int i = 0; i < n; i++) {
		const char *v = verdict(&t[i]);
		int len = isnan(t[i].value) ? snprintf(value, sizeof(value), "-")
					    : snprintf(value, sizeof(value), "%.3g %s", t[i].value, t[i].unit);
		if (!isnan(t[i].extra) && len > 0 && (size_t)len < sizeof(value))
			snprintf(value + len, sizeof(value) - (size_t)len, " (%.3g %s)", t[i].extra, t[i].extra_unit);
		if (strcmp(t[i].limit_text, "within noise") == 0 && !isnan(t[i].limit))
			snprintf(limit, sizeof(limit), "<= %.1f %% (noise)", t[i].limit);
		else
			snprintf(limit, sizeof(limit), "%s", t[i].limit_text);
		printf("%-42s %-30s %-22s %s\n", t[i].name, value, limit, v);

		json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(t[i].name));
		json_object_object_add(o, "value", isnan(t[i].value) ? NULL : json_object_new_double(t[i].value));
		json_object_object_add(o, "unit", json_object_new_string(t[i].unit));
		json_object_object_add(o, "limit", json_object_new_string(limit));
		if (!isnan(t[i].extra))
			json_object_object_add(o, t[i].extra_key, json_object_new_double(t[i].extra));
		json_object_object_add(o, "verdict", json_object_new_string(v));
		json_object_array_add(list, o);
	}
	json_object_object_add(doc, "targets", list);
}
