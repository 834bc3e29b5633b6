/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleet.c - the fleet section: one `ulp trigger` patching many processes.
 *
 * N fleet-prog processes (see fleet-prog.c) start with the runtime, all
 * under one name of their own; `ulp trigger -v -p 'NAME*'` applies
 * fleet_livepatch.so to all of them, then reverts it; then they end, and
 * the next repetition starts N new ones (an apply after a revert would
 * not load the patch again, and so do less than a first one).  Reported: the wall
 * time of each trigger, that time per process, ulp -v's phases of every
 * process pooled, the concurrency (the sum of the per-process totals over
 * the wall time: ulp may work on several processes at once), and the CPU
 * time per process that ulp used (with its workers) and that the targets
 * used (their run time in /proc/PID/schedstat: the borrowed thread's
 * work, loading the patch): on a machine with few CPUs, the sum of the two
 * over the number of CPUs bounds the time per process.  The processes end
 * together: they read one pipe whose
 * other end only this benchmark holds; then each is reaped (killed by its
 * PID if it does not go).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define DEFAULT_REPS 5
#define QUICK_REPS   1
#define READY_WAIT   60000
#define ULP_TIMEOUT  300000
#define SETTLE_US    50000

static const int sizes[] = { 10, 100, 500 };
static const char *const phase_names[NPHASES] = { PHASE_NAMES };

struct fleet {
	pid_t *pids;
	size_t n;
	int hold; /* the write end of their stdin */
	char name[16];
};

static void fleet_stop(struct fleet *fl)
{
	if (fl->hold >= 0)
		close(fl->hold);
	for (size_t i = 0; i < fl->n; i++)
		pid_reap(fl->pids[i], 5000);
	free(fl->pids);
	fl->pids = NULL;
	fl->n = 0;
	fl->hold = -1;
}

/* Read one byte from each process (bounded). */
static int fleet_wait_ready(int fd, size_t n)
{
	uint64_t deadline = now_ns() + (uint64_t)READY_WAIT * 1000000u;
	char buf[512];
	while (n > 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)((int64_t)(deadline - now_ns()) / 1000000);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		ssize_t r = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));
		if (r <= 0)
			return -1;
		n -= (size_t)r;
	}
	return 0;
}

static int fleet_start(struct fleet *fl, int n)
{
	char prog[4096];
	int in[2], ready[2];
	const char *argv[] = { bench_file("fleet-prog", prog, sizeof(prog)), fl->name, NULL };
	fl->pids = calloc((size_t)n, sizeof(pid_t));
	fl->n = 0;
	fl->hold = -1;
	if (!fl->pids || pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	fl->hold = in[1];
	int r = 0;
	for (int i = 0; i < n && r == 0; i++) {
		r = proc_spawn(&fl->pids[fl->n], argv, in[0], ready[1], -1, bench_libpulp());
		if (r == 0)
			fl->n++;
	}
	close(in[0]);
	close(ready[1]);
	if (r < 0)
		fprintf(stderr, "ulp-bench: cannot start fleet process %zu: %s\n", fl->n, strerror(-r));
	else if ((r = fleet_wait_ready(ready[0], fl->n)) < 0)
		fprintf(stderr, "ulp-bench: the %zu fleet processes did not all start\n", fl->n);
	close(ready[0]);
	return r;
}

struct trigger_figures {
	struct samples wall_ms, per_process_ms, concurrency, ulp_cpu_ms, target_cpu_ms;
	struct samples phase[NPHASES];
};

static void trigger_figures_release(struct trigger_figures *f)
{
	samples_release(&f->wall_ms);
	samples_release(&f->per_process_ms);
	samples_release(&f->concurrency);
	samples_release(&f->ulp_cpu_ms);
	samples_release(&f->target_cpu_ms);
	for (int i = 0; i < NPHASES; i++)
		samples_release(&f->phase[i]);
}

/* The CPU time the fleet's processes have used so far (each has one
 * thread: its schedstat is the process's). */
static uint64_t fleet_run_time_ns(const struct fleet *fl)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < fl->n; i++) {
		char path[64];
		unsigned long long ns = 0;
		snprintf(path, sizeof(path), "/proc/%d/schedstat", fl->pids[i]);
		FILE *f = fopen(path, "r");
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		if (f)
			fclose(f);
	}
	return sum;
}

static int fleet_trigger(struct fleet *fl, bool revert, struct trigger_figures *f)
{
	char glob[32], container[4096];
	const char *argv[8];
	int n = 0;
	snprintf(glob, sizeof(glob), "%.12s*", fl->name);
	argv[n++] = bench_ulp();
	argv[n++] = "trigger";
	argv[n++] = "-v";
	argv[n++] = "-p";
	argv[n++] = glob;
	if (revert)
		argv[n++] = "--revert";
	argv[n++] = bench_file("fleet_livepatch.so", container, sizeof(container));
	argv[n] = NULL;

	struct cmd_result res;
	int patched = -1, skipped = -1, failed = -1;
	uint64_t target_ns = fleet_run_time_ns(fl);
	int r = cmd_run(argv, NULL, ULP_TIMEOUT, &res);
	target_ns = fleet_run_time_ns(fl) - target_ns;
	if (r == 0 && (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0 ||
		       trigger_summary(res.out, &patched, &skipped, &failed) < 0 || patched != (int)fl->n ||
		       skipped != 0 || failed != 0)) {
		fprintf(stderr, "ulp-bench: 'ulp trigger -p %s%s' patched %d of %zu processes:\n%s", glob,
			revert ? " --revert" : "", patched, fl->n, res.err);
		r = -1;
	}
	if (r == 0) {
		struct phases ph;
		pid_t pid;
		size_t pos = 0;
		double in_processes_us = 0;
		while (phases_next(res.err, &pos, &pid, &ph)) {
			for (int i = 0; i < NPHASES; i++)
				samples_add(&f->phase[i], phases_array(&ph)[i]);
			in_processes_us += ph.total;
		}
		double wall_ms = (double)res.wall_ns / 1e6;
		samples_add(&f->wall_ms, wall_ms);
		samples_add(&f->per_process_ms, wall_ms / (double)fl->n);
		samples_add(&f->concurrency, in_processes_us / 1e3 / wall_ms);
		samples_add(&f->ulp_cpu_ms, (double)res.cpu_ns / 1e6 / (double)fl->n);
		samples_add(&f->target_cpu_ms, (double)target_ns / 1e6 / (double)fl->n);
	}
	cmd_result_release(&res);
	return r;
}

static json_object *trigger_json(struct trigger_figures *f)
{
	json_object *o = json_object_new_object(), *ph = json_object_new_object();
	json_object_object_add(o, "wall_ms", samples_json(&f->wall_ms));
	json_object_object_add(o, "per_process_ms", samples_json(&f->per_process_ms));
	json_object_object_add(o, "concurrency", samples_json(&f->concurrency));
	json_object_object_add(o, "ulp_cpu_ms_per_process", samples_json(&f->ulp_cpu_ms));
	json_object_object_add(o, "target_cpu_ms_per_process", samples_json(&f->target_cpu_ms));
	for (int i = 0; i < NPHASES; i++)
		json_object_object_add(ph, phase_names[i], samples_json(&f->phase[i]));
	json_object_object_add(o, "phases_us_per_process", ph);
	return o;
}

static json_object *size_run(int n, int reps)
{
	struct trigger_figures f[2];
	struct samples start_ms = SAMPLES_INIT;
	json_object *o = NULL;
	int r = 0;
	memset(f, 0, sizeof(f));
	fprintf(stderr, "# fleet: %d processes, %d repetitions\n", n, reps);
	/* fresh processes each time: only a first apply loads the patch */
	for (int i = 0; r == 0 && i < reps; i++) {
		struct fleet fl = { .hold = -1 };
		snprintf(fl.name, sizeof(fl.name), "bf%d-%d", (int)getpid() % 10000000, n);
		uint64_t t0 = now_ns();
		r = fleet_start(&fl, n);
		samples_add(&start_ms, (double)(now_ns() - t0) / 1e6);
		usleep(SETTLE_US);
		if (r == 0)
			r = fleet_trigger(&fl, false, &f[0]);
		if (r == 0)
			r = fleet_trigger(&fl, true, &f[1]);
		fleet_stop(&fl);
	}
	if (r == 0) {
		o = json_object_new_object();
		json_object_object_add(o, "processes", json_object_new_int(n));
		json_object_object_add(o, "repetitions", json_object_new_int(reps));
		json_object_object_add(o, "start_ms", samples_json(&start_ms));
		json_object_object_add(o, "apply", trigger_json(&f[0]));
		json_object_object_add(o, "revert", trigger_json(&f[1]));
	}
	samples_release(&start_ms);
	trigger_figures_release(&f[0]);
	trigger_figures_release(&f[1]);
	return o;
}

static void fleet_print(json_object *list)
{
	char a[64], b[64], c[64];
	printf("\nFleet: one 'ulp trigger -v -p WILDCARD' over N processes; ms median [min-max]; "
	       "per-process phases us, medians;\nCPU ms per process (medians): ulp's and the targets'\n");
	printf("%6s  %-22s %-22s %-22s %7s %7s %7s %7s %7s %6s %8s %8s\n", "procs", "apply wall ms", "apply ms/process",
	       "revert wall ms", "inspect", "attach", "load", "pause", "total", "concur", "ulp cpu", "tgt cpu");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *s = json_object_array_get_idx(list, i);
		json_object *ph = json_path(s, "apply", "phases_us_per_process", NULL);
		printf("%6d  %-22s %-22s %-22s %7.0f %7.0f %7.0f %7.0f %7.0f %6.1f %8.3f %8.3f\n",
		       json_object_get_int(json_path(s, "processes", NULL)),
		       json_stats_text(json_path(s, "apply", "wall_ms", NULL), 1, a, sizeof(a)),
		       json_stats_text(json_path(s, "apply", "per_process_ms", NULL), 3, b, sizeof(b)),
		       json_stats_text(json_path(s, "revert", "wall_ms", NULL), 1, c, sizeof(c)),
		       json_median(json_path(ph, "inspect", NULL)), json_median(json_path(ph, "attach", NULL)),
		       json_median(json_path(ph, "load", NULL)), json_median(json_path(ph, "pause", NULL)),
		       json_median(json_path(ph, "total", NULL)),
		       json_median(json_path(s, "apply", "concurrency", NULL)),
		       json_median(json_path(s, "apply", "ulp_cpu_ms_per_process", NULL)),
		       json_median(json_path(s, "apply", "target_cpu_ms_per_process", NULL)));
	}
}

json_object *bench_fleet(const struct bench_opts *o)
{
	int reps = o->reps ? o->reps : o->quick ? QUICK_REPS : DEFAULT_REPS;
	json_object *list = json_object_new_array();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		json_object *s = size_run(sizes[i], reps);
		if (!s) {
			json_object_put(list);
			return NULL;
		}
		json_object_array_add(list, s);
	}
	fleet_print(list);
	return list;
}
