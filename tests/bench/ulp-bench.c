/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ulp-bench.c - the benchmark suite: runs the sections, prints their
 * tables and the targets, writes one JSON document.
 *
 * Usage: ulp-bench [--quick] [--reps N] [-o FILE] [SECTION...]
 *   SECTION: pause, calls, fleet, idle (default: all, in that order)
 *   --quick  fewer repetitions
 *   --reps N the same N repetitions for every section
 *   -o FILE  the JSON document (default: bench.json)
 * $ULP and $LIBPULP replace the ulp and libpulp.so of the build.
 *
 * Exit status: 0 when every section ran, 1 when one failed (its error is
 * on stderr), 2 on a usage error.  Never for a figure that misses its
 * target.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench-config.h"
#include "bench.h"

static const struct section {
	const char *name;
	json_object *(*run)(const struct bench_opts *o);
} sections[] = {
	{ "pause", bench_pause },
	{ "calls", bench_calls },
	{ "fleet", bench_fleet },
	{ "idle", bench_idle },
};

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

/* A benchmark interrupted leaves no process of its own behind. */
static void on_signal(int sig)
{
	pids_kill_all();
	_exit(128 + sig);
}

static void signals_setup(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	atexit(pids_kill_all);
}

static json_object *cpu_model(void)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	json_object *o = NULL;
	while (f && !o && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) == 0 && colon) {
			line[strcspn(line, "\n")] = '\0';
			o = json_object_new_string(colon + 2);
		}
	}
	if (f)
		fclose(f);
	return o;
}

static json_object *ulp_version(void)
{
	const char *argv[] = { bench_ulp(), "--version", NULL };
	struct cmd_result res;
	json_object *o = NULL;
	if (cmd_run(argv, NULL, 10000, &res) == 0 && res.out) {
		res.out[strcspn(res.out, "\n")] = '\0';
		o = json_object_new_string(res.out);
	}
	cmd_result_release(&res);
	return o;
}

/* CPU time the machine spent busy (not idle, not waiting for I/O) over
 * @ms milliseconds, as a fraction of all CPUs; NaN if unknown.  Others'
 * work on the machine shows in every figure: this says how much there was. */
static double machine_busy(int ms)
{
	unsigned long long v[2][8] = { { 0 } };
	for (int k = 0; k < 2; k++) {
		FILE *f = fopen("/proc/stat", "r");
		int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[k][0], &v[k][1], &v[k][2],
				   &v[k][3], &v[k][4], &v[k][5], &v[k][6], &v[k][7])
			  : 0;
		if (f)
			fclose(f);
		if (n != 8)
			return NAN;
		if (k == 0)
			usleep((useconds_t)ms * 1000);
	}
	double total = 0, idle = (double)(v[1][3] - v[0][3] + v[1][4] - v[0][4]);
	for (int i = 0; i < 8; i++)
		total += (double)(v[1][i] - v[0][i]);
	return total > 0 ? 1 - idle / total : NAN;
}

static void busy_note(json_object *meta, const char *key)
{
	double busy = machine_busy(1000);
	json_object_object_add(meta, key, isnan(busy) ? NULL : json_object_new_double(busy));
	if (busy > 0.1)
		printf("warning: the machine was %.0f%% busy with other work %s the benchmarks; "
		       "the figures are disturbed by it\n",
		       100 * busy, strcmp(key, "busy_before") == 0 ? "before" : "after");
}

static json_object *meta_json(const struct bench_opts *o)
{
	json_object *m = json_object_new_object();
	struct utsname u;
	char date[64];
	time_t now = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
	uname(&u);
	json_object_object_add(m, "date", json_object_new_string(date));
	json_object_object_add(m, "host", json_object_new_string(u.nodename));
	json_object_object_add(m, "kernel", json_object_new_string(u.release));
	json_object_object_add(m, "cpu", cpu_model());
	json_object_object_add(m, "cpus", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(m, "buildtype", json_object_new_string(BENCH_BUILDTYPE));
	json_object_object_add(m, "ulp", json_object_new_string(bench_ulp()));
	json_object_object_add(m, "ulp_version", ulp_version());
	json_object_object_add(m, "libpulp", json_object_new_string(bench_libpulp()));
	json_object_object_add(m, "quick", json_object_new_boolean(o->quick));
	json_object_object_add(m, "reps", json_object_new_int(o->reps));
	printf("ulp benchmarks, %s, %s, %s (%d CPUs), kernel %s, %s build%s\n", date, u.nodename,
	       json_object_get_string(json_path(m, "cpu", NULL)), (int)sysconf(_SC_NPROCESSORS_ONLN), u.release,
	       BENCH_BUILDTYPE, o->quick ? ", --quick" : "");
	return m;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ulp-bench [--quick] [--reps N] [-o FILE] [pause|calls|fleet|idle]...\n");
}

struct cli {
	struct bench_opts o;
	const char *out;
	bool want[NSECTIONS], any;
};

/* Return -1 to go on, or the exit status. */
static int cli_parse(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "reps", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "qr:o:h", opts, NULL)) != -1) {
		if (opt == 'q') {
			c->o.quick = true;
		} else if (opt == 'r' && (c->o.reps = atoi(optarg)) > 0) {
			continue;
		} else if (opt == 'o') {
			c->out = optarg;
		} else {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		size_t k = 0;
		while (k < NSECTIONS && strcmp(argv[i], sections[k].name) != 0)
			k++;
		if (k == NSECTIONS) {
			fprintf(stderr, "ulp-bench: no section '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
		c->want[k] = c->any = true;
	}
	return -1;
}

/* Run the sections asked for into @doc.  Return how many failed. */
static int sections_run(const struct cli *c, json_object *doc)
{
	int failed = 0;
	for (size_t k = 0; k < NSECTIONS; k++) {
		if (c->any && !c->want[k])
			continue;
		uint64_t t0 = now_ns();
		json_object *s = sections[k].run(&c->o);
		fprintf(stderr, "# %s: %.1f s\n", sections[k].name, (double)(now_ns() - t0) / 1e9);
		if (!s) {
			fprintf(stderr, "ulp-bench: the %s section failed\n", sections[k].name);
			failed++;
		}
		json_object_object_add(doc, sections[k].name, s);
	}
	return failed;
}

int main(int argc, char **argv)
{
	struct cli c = { .out = "bench.json" };
	int r = cli_parse(argc, argv, &c);
	if (r >= 0)
		return r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signals_setup();

	json_object *doc = json_object_new_object(), *meta = meta_json(&c.o);
	json_object_object_add(doc, "meta", meta);
	busy_note(meta, "busy_before");
	int failed = sections_run(&c, doc);
	busy_note(meta, "busy_after");
	report_targets(doc);
	if (json_object_to_file_ext(c.out, doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) < 0) {
		fprintf(stderr, "ulp-bench: cannot write '%s': %s\n", c.out, json_util_get_last_err());
		failed++;
	} else {
		printf("\nJSON: %s\n", c.out);
	}
	json_object_put(doc);
	return failed ? 1 : 0;
}
