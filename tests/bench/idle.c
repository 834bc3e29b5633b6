/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idle.c - the idle section: what libpulp.so costs a process while no
 * patch is applied (DESIGN.md section 9: no interposed malloc, no
 * threads, small memory).
 *
 * Throughput: malloc-prog (see malloc-prog.c) with 1 and 2 threads, with
 * and without the runtime preloaded, the two interleaved (the order
 * alternating between repetitions) so that a drift of the machine hits
 * both alike.  The ratio of the medians is reported with the noise: half
 * the spread (max - min) of the runs relative to their median, the larger
 * of the two variants.
 *
 * Memory: VmRSS and VmSize from /proc/PID/status of the same idle program
 * (malloc-prog idle) with and without the runtime, MEM_STARTS starts each,
 * interleaved.  VmRSS counts the pages of shared files (libc's code) a
 * process has mapped, which the kernel maps 64 KiB around each page
 * touched (fault-around): where those windows fall depends on where ASLR
 * put libc, so the same program's VmRSS varies by 200 KiB from start to
 * start.  What the runtime adds is the difference of the means over many
 * starts (the placements average out; a median jumps between them).
 * RssAnon (/proc/PID/status) and Pss (/proc/PID/smaps_rollup) are
 * reported too: the memory that is the process's own, and its fair share
 * of the shared pages.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bench.h"

#define DEFAULT_REPS 9
#define QUICK_REPS   3
#define RUN_MS	     "300"
#define MEM_STARTS   25

static const int thread_counts[] = { 1, 2 };
#define NCOUNTS (int)(sizeof(thread_counts) / sizeof(thread_counts[0]))

/* One run: operations per microsecond (= millions per second). */
static int run_once(int threads, bool preload, double *ret_mops)
{
	char prog[4096], nthreads[16], line[128];
	snprintf(nthreads, sizeof(nthreads), "%d", threads);
	const char *argv[] = { bench_file("malloc-prog", prog, sizeof(prog)), nthreads, RUN_MS, NULL };
	struct cmd_result res;
	unsigned long long ops;
	double ms;
	int r = cmd_run(argv, preload ? bench_libpulp() : NULL, 60000, &res);
	if (r == 0 && (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0 ||
		       sscanf(res.out, "ops %llu ms %lf", &ops, &ms) != 2 || ms <= 0)) {
		snprintf(line, sizeof(line), "%s", res.out ? res.out : "");
		fprintf(stderr, "ulp-bench: malloc-prog failed: %s%s\n", line, res.err ? res.err : "");
		r = -1;
	}
	if (r == 0)
		*ret_mops = (double)ops / ms / 1e3;
	cmd_result_release(&res);
	return r;
}

static double noise_of(const struct samples *s)
{
	return (samples_max(s) - samples_min(s)) / 2 / samples_median(s);
}

static json_object *throughput_json(int threads, struct samples *without, struct samples *with)
{
	json_object *o = json_object_new_object();
	double noise = fmax(noise_of(without), noise_of(with));
	json_object_object_add(o, "threads", json_object_new_int(threads));
	json_object_object_add(o, "without_mops", samples_json(without));
	json_object_object_add(o, "with_mops", samples_json(with));
	json_object_object_add(o, "ratio", json_object_new_double(samples_median(with) / samples_median(without)));
	json_object_object_add(o, "noise", json_object_new_double(noise));
	return o;
}

enum { MEM_RSS, MEM_SIZE, MEM_ANON, MEM_PSS, NMEM };

static const char *const mem_keys[NMEM] = { "rss_kb", "vmsize_kb", "rss_anon_kb", "pss_kb" };

/* "Name: N kB" lines of @path into @ret (the ones of @names found). */
static int status_read(const char *path, const char *const names[], double *const ret[], int n)
{
	char line[256];
	int found = 0;
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		for (int i = 0; i < n; i++) {
			size_t len = strlen(names[i]);
			if (strncmp(line, names[i], len) == 0 && line[len] == ':' &&
			    sscanf(line + len + 1, "%lf", ret[i]) == 1)
				found++;
		}
	if (f)
		fclose(f);
	return found;
}

/* The memory figures (kB) of a fresh idle malloc-prog. */
static int memory_once(bool preload, double ret[NMEM])
{
	char prog[4096], path[64];
	const char *argv[] = { bench_file("malloc-prog", prog, sizeof(prog)), "idle", NULL };
	struct child c;
	int r = child_start(&c, argv, preload, NULL);
	if (r < 0)
		return r;
	static const char *const status_names[] = { "VmRSS", "VmSize", "RssAnon" }, *const rollup_names[] = { "Pss" };
	double *const status_out[] = { &ret[MEM_RSS], &ret[MEM_SIZE], &ret[MEM_ANON] }, *const rollup_out[] = {
		&ret[MEM_PSS]
	};
	snprintf(path, sizeof(path), "/proc/%d/status", c.pid);
	int found = status_read(path, status_names, status_out, 3);
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", c.pid);
	found += status_read(path, rollup_names, rollup_out, 1);
	/* malloc-prog idle ends at end of input, not on "quit" */
	close(c.in);
	c.in = -1;
	pid_reap(c.pid, 3000);
	c.pid = -1;
	child_stop(&c);
	if (found != NMEM) {
		fprintf(stderr, "ulp-bench: cannot read the memory of process %d in /proc\n", c.pid);
		return -1;
	}
	return 0;
}

static json_object *memory_run(void)
{
	struct samples m[2][NMEM];
	json_object *o = NULL;
	int r = 0;
	memset(m, 0, sizeof(m));
	for (int i = 0; r == 0 && i < 2 * MEM_STARTS; i++) {
		int with = (i + i / 2) % 2; /* without, with, with, without, ... */
		double kb[NMEM];
		r = memory_once(with, kb);
		for (int k = 0; r == 0 && k < NMEM; k++)
			samples_add(&m[with][k], kb[k]);
	}
	if (r == 0) {
		char key[64];
		o = json_object_new_object();
		for (int k = 0; k < NMEM; k++) {
			snprintf(key, sizeof(key), "without_%s", mem_keys[k]);
			json_object_object_add(o, key, samples_json(&m[0][k]));
			snprintf(key, sizeof(key), "with_%s", mem_keys[k]);
			json_object_object_add(o, key, samples_json(&m[1][k]));
			snprintf(key, sizeof(key), "added_%s", mem_keys[k]);
			json_object_object_add(o, key,
					       json_object_new_double(samples_mean(&m[1][k]) - samples_mean(&m[0][k])));
		}
	}
	for (int w = 0; w < 2; w++)
		for (int k = 0; k < NMEM; k++)
			samples_release(&m[w][k]);
	return o;
}

static void idle_print(json_object *o)
{
	char a[64], b[64];
	json_object *tp = json_path(o, "throughput", NULL), *mem = json_path(o, "memory", NULL);
	printf("\nIdle runtime: malloc/free throughput, million operations/s, median [min-max] of %d runs of %s ms\n",
	       json_object_get_int(json_path(o, "repetitions", NULL)), RUN_MS);
	printf("%7s  %-22s %-22s %7s %7s\n", "threads", "without runtime", "with libpulp.so", "ratio", "noise");
	for (size_t i = 0; i < json_object_array_length(tp); i++) {
		json_object *t = json_object_array_get_idx(tp, i);
		printf("%7d  %-22s %-22s %7.3f %6.1f%%\n", json_object_get_int(json_path(t, "threads", NULL)),
		       json_stats_text(json_path(t, "without_mops", NULL), 2, a, sizeof(a)),
		       json_stats_text(json_path(t, "with_mops", NULL), 2, b, sizeof(b)),
		       json_object_get_double(json_path(t, "ratio", NULL)),
		       100 * json_object_get_double(json_path(t, "noise", NULL)));
	}
	printf("Idle program memory, kB, median of %d starts each; added: difference of the means\n", MEM_STARTS);
	printf("%-12s %8s %8s %8s\n", "", "without", "with", "added");
	for (int k = 0; k < NMEM; k++) {
		char key[3][64];
		snprintf(key[0], sizeof(key[0]), "without_%s", mem_keys[k]);
		snprintf(key[1], sizeof(key[1]), "with_%s", mem_keys[k]);
		snprintf(key[2], sizeof(key[2]), "added_%s", mem_keys[k]);
		printf("%-12s %8.0f %8.0f %+8.0f\n", mem_keys[k], json_median(json_path(mem, key[0], NULL)),
		       json_median(json_path(mem, key[1], NULL)), json_object_get_double(json_path(mem, key[2], NULL)));
	}
}

json_object *bench_idle(const struct bench_opts *o)
{
	int reps = o->reps ? o->reps : o->quick ? QUICK_REPS : DEFAULT_REPS;
	struct samples s[NCOUNTS][2];
	json_object *out = NULL, *tp = NULL, *mem = NULL;
	int r = 0;
	memset(s, 0, sizeof(s));
	fprintf(stderr, "# idle: malloc throughput, %d runs each of %s ms; memory of an idle program\n", reps, RUN_MS);
	for (int i = 0; r == 0 && i < reps; i++)
		for (int t = 0; r == 0 && t < NCOUNTS; t++)
			for (int k = 0; r == 0 && k < 2; k++) {
				int with = (k + i) % 2; /* alternate which goes first */
				double mops;
				r = run_once(thread_counts[t], with, &mops);
				if (r == 0)
					samples_add(&s[t][with], mops);
			}
	if (r == 0) {
		tp = json_object_new_array();
		for (int t = 0; t < NCOUNTS; t++)
			json_object_array_add(tp, throughput_json(thread_counts[t], &s[t][0], &s[t][1]));
		mem = memory_run();
	}
	if (mem) {
		out = json_object_new_object();
		json_object_object_add(out, "repetitions", json_object_new_int(reps));
		json_object_object_add(out, "run_ms", json_object_new_int(atoi(RUN_MS)));
		json_object_object_add(out, "throughput", tp);
		json_object_object_add(out, "memory", mem);
		idle_print(out);
	} else {
		json_object_put(tp);
	}
	for (int t = 0; t < NCOUNTS; t++)
		for (int k = 0; k < 2; k++)
			samples_release(&s[t][k]);
	return out;
}
