/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pause.c - the pause section: how long is a thread of a patched process
 * stopped, against the bare stop-and-resume floor; how long does
 * `ulp trigger -p PID` take and where does the time go (ulp -v's phases);
 * how does it scale with threads and with functions per patch.
 *
 * For each configuration (threads in the target, functions in the patch)
 * every repetition starts two fresh spin-prog processes (see spin-prog.c
 * for what they observe) and runs, in this order, these steps, with the
 * gaps reset before each and read after it:
 *   first process:
 *     none                 nothing for 10 ms: what noise looks like
 *     floor                floor_stop_resume() (floor.c): ptrace only
 *     floor_fifo           the same, releasing the threads under
 *                          SCHED_FIFO as ulp does
 *     apply                ulp trigger -v -p PID CONTAINER
 *     revert               the same with --revert
 *     reapply              apply again
 *   second process:
 *     apply_no_stack_check, revert_no_stack_check   the same with
 *                          --no-stack-check
 * Fresh processes because a process loads a patch (dlopen) only the first
 * time it is applied: a revert keeps it loaded, so an apply after a revert
 * does less ("reapply").  An apply and a revert in a process of their own
 * before the first repetition warm the caches and are not counted.  The
 * driver and ulp keep off the spinner's CPU (driver_pin()).
 * BENCH_PAUSE_ONLY="1:1,64:100" runs only the configurations listed
 * (THREADS:FUNCTIONS).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define DEFAULT_REPS 30
#define QUICK_REPS   5
#define ULP_TIMEOUT  60000
#define ASK_TIMEOUT  10000
#define SETTLE_US    20000

struct pause_config {
	int threads, functions;
};

static const struct pause_config configs[] = {
	/* threads, with a 1-function patch */
	{ 1, 1 },
	{ 2, 1 },
	{ 16, 1 },
	{ 64, 1 },
	{ 256, 1 },
	/* functions, in a single-threaded process (the load is pause
	 * there) and with one more thread (only the switch is) */
	{ 1, 10 },
	{ 1, 100 },
	{ 1, 1000 },
	{ 2, 10 },
	{ 2, 100 },
	{ 2, 1000 },
	/* the second pause target */
	{ 64, 100 },
};

enum step {
	STEP_NONE,
	STEP_FLOOR,
	STEP_FLOOR_FIFO,
	STEP_APPLY,
	STEP_REVERT,
	STEP_REAPPLY,
	STEP_APPLY_NSC,
	STEP_REVERT_NSC,
	NSTEPS
};

static const char *const step_names[NSTEPS] = {
	"none", "floor", "floor_fifo", "apply", "revert", "reapply", "apply_no_stack_check", "revert_no_stack_check",
};

static const char *const phase_names[NPHASES] = { PHASE_NAMES };

struct step_figures {
	struct samples pause_us;	 /* longest stopped gap */
	struct samples stopped_total_us; /* their sum */
	struct samples stopped_count;	 /* how many */
	struct samples noise_us;	 /* longest gap that was not a stop */
	struct samples tool_ms;		 /* ulp's wall time, or the floor's own */
	struct samples phase[NPHASES];	 /* ulp -v */
};

static void step_figures_release(struct step_figures *f)
{
	samples_release(&f->pause_us);
	samples_release(&f->stopped_total_us);
	samples_release(&f->stopped_count);
	samples_release(&f->noise_us);
	samples_release(&f->tool_ms);
	for (int i = 0; i < NPHASES; i++)
		samples_release(&f->phase[i]);
}

static bool step_is_trigger(enum step s)
{
	return s >= STEP_APPLY;
}

static bool step_is_revert(enum step s)
{
	return s == STEP_REVERT || s == STEP_REVERT_NSC;
}

/* ulp trigger -v on @pid; its wall time and phases into @f (if not NULL). */
static int trigger_run(pid_t pid, const char *container, enum step s, struct step_figures *f)
{
	char pidbuf[16];
	const char *argv[9];
	bool nsc = s == STEP_APPLY_NSC || s == STEP_REVERT_NSC;
	int n = 0;
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	argv[n++] = bench_ulp();
	argv[n++] = "trigger";
	argv[n++] = "-v";
	argv[n++] = "-p";
	argv[n++] = pidbuf;
	if (step_is_revert(s))
		argv[n++] = "--revert";
	if (nsc)
		argv[n++] = "--no-stack-check";
	argv[n++] = container;
	argv[n] = NULL;

	struct cmd_result res;
	int patched = -1, skipped = -1, failed = -1;
	int r = cmd_run(argv, NULL, ULP_TIMEOUT, &res);
	if (r == 0 && (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0 ||
		       trigger_summary(res.out, &patched, &skipped, &failed) < 0 || patched != 1))
		r = -1;
	struct phases ph;
	pid_t ph_pid;
	size_t pos = 0;
	if (r == 0 && !phases_next(res.err, &pos, &ph_pid, &ph))
		r = -1;
	if (r < 0) {
		fprintf(stderr, "ulp-bench: 'ulp trigger%s%s -p %d' did not patch the process; it said:\n%s%s",
			step_is_revert(s) ? " --revert" : "", nsc ? " --no-stack-check" : "", pid,
			res.out ? res.out : "", res.err ? res.err : "");
	} else if (f) {
		samples_add(&f->tool_ms, (double)res.wall_ns / 1e6);
		for (int i = 0; i < NPHASES; i++)
			samples_add(&f->phase[i], phases_array(&ph)[i]);
	}
	cmd_result_release(&res);
	return r;
}

static int gaps_read(struct child *c, struct step_figures *f)
{
	char line[256];
	unsigned long long max, sum, n, noise;
	if (child_ask(c, "gaps", "gaps ", line, sizeof(line), ASK_TIMEOUT) < 0)
		return -1;
	if (sscanf(line, "gaps max_ns %llu sum_ns %llu n %llu noise_ns %llu", &max, &sum, &n, &noise) != 4) {
		fprintf(stderr, "ulp-bench: cannot read '%s'\n", line);
		return -1;
	}
	samples_add(&f->pause_us, (double)max / 1e3);
	samples_add(&f->stopped_total_us, (double)sum / 1e3);
	samples_add(&f->stopped_count, (double)n);
	samples_add(&f->noise_us, (double)noise / 1e3);
	return 0;
}

/* After an apply the patched function answers -2, else 2. */
static int value_check(struct child *c, bool patched)
{
	char line[256];
	const char *want = patched ? "value -2" : "value 2";
	if (child_ask(c, "value", "value ", line, sizeof(line), ASK_TIMEOUT) < 0)
		return -1;
	if (strcmp(line, want) != 0) {
		fprintf(stderr, "ulp-bench: pid %d says '%s', expected '%s'\n", c->pid, line, want);
		return -1;
	}
	return 0;
}

static int step_run(struct child *c, const char *container, enum step s, struct step_figures *f)
{
	char line[256];
	uint64_t ns;
	int r = child_ask(c, "reset", "ok", line, sizeof(line), ASK_TIMEOUT);
	if (r < 0)
		return r;
	if (s == STEP_NONE) {
		usleep(10000);
	} else if (s == STEP_FLOOR || s == STEP_FLOOR_FIFO) {
		r = floor_stop_resume(c->pid, s == STEP_FLOOR_FIFO, &ns);
		if (r == 0)
			samples_add(&f->tool_ms, (double)ns / 1e6);
	} else {
		r = trigger_run(c->pid, container, s, f);
	}
	if (r == 0)
		r = gaps_read(c, f);
	if (r == 0 && step_is_trigger(s))
		r = value_check(c, !step_is_revert(s));
	return r;
}

static json_object *step_json(enum step s, struct step_figures *f)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "pause_us", samples_json(&f->pause_us));
	json_object_object_add(o, "stopped_total_us", samples_json(&f->stopped_total_us));
	json_object_object_add(o, "stopped_count", samples_json(&f->stopped_count));
	json_object_object_add(o, "noise_us", samples_json(&f->noise_us));
	if (s == STEP_FLOOR || s == STEP_FLOOR_FIFO)
		json_object_object_add(o, "floor_tool_ms", samples_json(&f->tool_ms));
	if (step_is_trigger(s)) {
		json_object *ph = json_object_new_object();
		json_object_object_add(o, "wall_ms", samples_json(&f->tool_ms));
		for (int i = 0; i < NPHASES; i++)
			json_object_object_add(ph, phase_names[i], samples_json(&f->phase[i]));
		json_object_object_add(o, "phases_us", ph);
	}
	return o;
}

/* The steps of one repetition, by process (see the top of this file). */
static const enum step first_process[] = {
	STEP_NONE, STEP_FLOOR, STEP_FLOOR_FIFO, STEP_APPLY, STEP_REVERT, STEP_REAPPLY
};
static const enum step second_process[] = { STEP_APPLY_NSC, STEP_REVERT_NSC };

/* A fresh spin-prog; @steps in it (NULL @f: a warm-up, not recorded). */
static int process_run(const struct pause_config *cf, const char *container, const enum step *steps, size_t n,
		       struct step_figures *f)
{
	char prog[4096], threads[16];
	struct child c;
	snprintf(threads, sizeof(threads), "%d", cf->threads);
	const char *argv[] = { bench_file("spin-prog", prog, sizeof(prog)), threads, NULL };
	int r = child_start(&c, argv, true, NULL);
	/* its threads may still be on their way to where they wait */
	usleep(SETTLE_US);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = f ? step_run(&c, container, steps[i], &f[steps[i]]) : trigger_run(c.pid, container, steps[i], NULL);
	child_stop(&c);
	return r;
}

static json_object *config_run(const struct pause_config *cf, int reps)
{
	static const enum step warm_up[] = { STEP_APPLY, STEP_REVERT };
	char container[4096], name[64];
	struct step_figures f[NSTEPS];
	json_object *o = NULL;

	memset(f, 0, sizeof(f));
	snprintf(name, sizeof(name), "wide_%d_livepatch.so", cf->functions);
	bench_file(name, container, sizeof(container));
	fprintf(stderr, "# pause: %d thread%s, %d function%s, %d repetitions\n", cf->threads,
		cf->threads == 1 ? "" : "s", cf->functions, cf->functions == 1 ? "" : "s", reps);

	int r = process_run(cf, container, warm_up, 2, NULL);
	for (int i = 0; r == 0 && i < reps; i++) {
		r = process_run(cf, container, first_process, sizeof(first_process) / sizeof(first_process[0]), f);
		if (r == 0)
			r = process_run(cf, container, second_process,
					sizeof(second_process) / sizeof(second_process[0]), f);
	}
	if (r == 0) {
		o = json_object_new_object();
		json_object_object_add(o, "threads", json_object_new_int(cf->threads));
		json_object_object_add(o, "functions", json_object_new_int(cf->functions));
		json_object_object_add(o, "repetitions", json_object_new_int(reps));
		for (enum step s = 0; s < NSTEPS; s++)
			json_object_object_add(o, step_names[s], step_json(s, &f[s]));
	}
	for (enum step s = 0; s < NSTEPS; s++)
		step_figures_release(&f[s]);
	return o;
}

static void pause_print(json_object *list)
{
	static const char *const cols[] = { "floor", "floor_fifo", "apply", "apply_no_stack_check", "reapply" };
	char a[64];
	printf("\nPause: the longest stop a spinning thread of the target saw, us: median [min-max]; "
	       "all stops: their sum\n");
	printf("%7s %5s  %-18s %-18s %-18s %-18s %-18s %-18s %s\n", "threads", "funcs", "floor (ptrace)",
	       "floor SCHED_FIFO", "apply", "apply no check", "reapply", "apply: all stops", "noise");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *cf = json_object_array_get_idx(list, i);
		printf("%7d %5d ", json_object_get_int(json_path(cf, "threads", NULL)),
		       json_object_get_int(json_path(cf, "functions", NULL)));
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			printf(" %-18s", json_stats_text(json_path(cf, cols[k], "pause_us", NULL), 0, a, sizeof(a)));
		printf(" %-18s %.0f\n",
		       json_stats_text(json_path(cf, "apply", "stopped_total_us", NULL), 0, a, sizeof(a)),
		       json_median(json_path(cf, "none", "noise_us", NULL)));
	}

	printf("\nulp trigger -p PID (apply): wall time ms, median [min-max]; ulp -v phases us, medians\n");
	printf("%7s %5s  %-20s %7s %7s %7s %7s %7s %7s %7s %7s %7s %5s\n", "threads", "funcs", "wall ms", "inspect",
	       "attach", "load", "stop", "check", "write", "resume", "pause", "total", "stops");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *cf = json_object_array_get_idx(list, i);
		json_object *ph = json_path(cf, "apply", "phases_us", NULL);
		printf("%7d %5d  %-20s", json_object_get_int(json_path(cf, "threads", NULL)),
		       json_object_get_int(json_path(cf, "functions", NULL)),
		       json_stats_text(json_path(cf, "apply", "wall_ms", NULL), 2, a, sizeof(a)));
		for (int k = 0; k < NPHASES - 1; k++)
			printf(k == NPHASES - 2 ? " %5.0f" : " %7.0f",
			       json_median(json_path(ph, phase_names[k], NULL)));
		printf("\n");
	}
	printf("(the same with --no-stack-check, and the reverts, are in the JSON document)\n");
}

/* BENCH_PAUSE_ONLY="THREADS:FUNCTIONS,...": only these configurations. */
static bool config_selected(const struct pause_config *cf, const char *only)
{
	char want[32];
	size_t len = (size_t)snprintf(want, sizeof(want), "%d:%d", cf->threads, cf->functions);
	for (const char *s = only; (s = strstr(s, want)); s += len)
		if ((s == only || s[-1] == ',') && (s[len] == ',' || s[len] == '\0'))
			return true;
	return false;
}

/*
 * The driver (and the ulp it starts, which inherits this) keeps off the
 * CPU where the target's spinner runs (spin-prog pins it to the last one).
 * Otherwise the driver, woken by the target's answer, is placed on the
 * target's CPU (the scheduler puts a woken task near its waker), and the
 * thread it releases preempts it there for milliseconds.
 */
static int driver_pin(cpu_set_t *ret_saved)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	if (ncpu < 2 || sched_getaffinity(0, sizeof(*ret_saved), ret_saved) < 0)
		return -1;
	CPU_ZERO(&set);
	for (long i = 0; i < ncpu - 1; i++)
		CPU_SET((int)i, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

json_object *bench_pause(const struct bench_opts *o)
{
	int reps = o->reps ? o->reps : o->quick ? QUICK_REPS : DEFAULT_REPS;
	json_object *list = json_object_new_array();
	const char *only = getenv("BENCH_PAUSE_ONLY");
	cpu_set_t saved;
	bool pinned = driver_pin(&saved) == 0;
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		if (only && !config_selected(&configs[i], only))
			continue;
		json_object *cf = config_run(&configs[i], reps);
		if (!cf) {
			json_object_put(list);
			list = NULL;
			break;
		}
		json_object_array_add(list, cf);
	}
	if (pinned)
		sched_setaffinity(0, sizeof(saved), &saved);
	if (list)
		pause_print(list);
	return list;
}
