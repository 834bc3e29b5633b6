/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench.h - what the parts of ulp-bench share: samples and their summary,
 * the processes it starts (targets and ulp), ulp -v's phase line, and one
 * function per section of the suite.
 *
 * Every section returns a json-c object with its figures (NULL after an
 * error, reported on stderr) and prints its own table as it ends.  A
 * figure far from its target is not an error.
 */
#ifndef BENCH_H
#define BENCH_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

uint64_t now_ns(void);

/* --- samples ------------------------------------------------------------- */

struct samples {
	double *v;
	size_t n, alloc;
};

/* clang-format off */
#define SAMPLES_INIT {.v = NULL}
/* clang-format on */

void samples_add(struct samples *s, double v);
double samples_median(const struct samples *s); /* NaN when empty */
double samples_mean(const struct samples *s);	/* NaN when empty */
double samples_min(const struct samples *s);
double samples_max(const struct samples *s);
void samples_release(struct samples *s);

/* {"median": M, "min": A, "max": B, "n": N, "samples": [...]} */
json_object *samples_json(const struct samples *s);

/* The median of a summary made by samples_json(); NaN if absent. */
double json_median(json_object *summary);
/* The object at a path of keys ("a", "b", NULL); NULL if any is absent. */
json_object *json_path(json_object *o, ...) __attribute__((sentinel));

/* "12.3 [10.1-15.0]": median [min-max] with @decimals, into @buf. */
const char *stats_text(const struct samples *s, int decimals, char *buf, size_t size);
const char *json_stats_text(json_object *summary, int decimals, char *buf, size_t size);

/* --- processes ----------------------------------------------------------- */

/* Every process the benchmark starts is tracked until it is reaped, and
 * killed (by its PID, nothing else) if the benchmark ends early. */
void pids_track(pid_t pid);
void pids_forget(pid_t pid);
void pids_kill_all(void);

/* Wait (bounded) for @pid to exit, then reap it.  Return its wait status,
 * or -1 if it was still running after @timeout_ms (then it is killed). */
int pid_reap(pid_t pid, int timeout_ms);

/* Start @argv (tracked) with fds 0, 1, 2 from @fd0, @fd1, @fd2 (-1: stdin
 * from /dev/null, stdout and stderr inherited), LD_PRELOAD=@preload if
 * not NULL (and no LD_PRELOAD otherwise).  Return 0 or -errno. */
int proc_spawn(pid_t *ret_pid, const char *const argv[], int fd0, int fd1, int fd2, const char *preload);

/* A target driven through pipes: one command line in, one answer out. */
struct child {
	pid_t pid;
	int in, out; /* our ends: its stdin, its stdout */
	size_t len;
	char buf[4096];
};

/* clang-format off */
#define CHILD_INIT {.pid = -1, .in = -1, .out = -1}
/* clang-format on */

/* Start @argv with the runtime preloaded (@preload) or without; wait for
 * its first line, which must start with "ready" (or @ready if not NULL). */
int child_start(struct child *c, const char *const argv[], bool preload, const char *ready);
/* Send @cmd; its answer (the next line) must start with @prefix.  The
 * line goes to @line.  Return 0 or -1 (reported). */
int child_ask(struct child *c, const char *cmd, const char *prefix, char *line, size_t size, int timeout_ms);
int child_read_line(struct child *c, char *line, size_t size, int timeout_ms);
/* "quit", then a bounded wait; killed if it does not exit. */
void child_stop(struct child *c);

/* Run a command to completion (killed after @timeout_ms), with
 * LD_PRELOAD=@preload if not NULL; its output is kept.  wall_ns: from
 * just before it is started to its exit; cpu_ns: the CPU time (user and
 * system) it and the children it waited for used. */
struct cmd_result {
	int status; /* wait status */
	uint64_t wall_ns, cpu_ns;
	char *out, *err;
};

/* clang-format off */
#define CMD_RESULT_INIT {.status = -1, .out = NULL, .err = NULL}
/* clang-format on */

int cmd_run(const char *const argv[], const char *preload, int timeout_ms, struct cmd_result *ret);
void cmd_result_release(struct cmd_result *r);

/* --- ulp ----------------------------------------------------------------- */

/* The ulp and libpulp.so under test ($ULP, $LIBPULP or the build's), and
 * the path of a file built in tests/bench. */
const char *bench_ulp(void);
const char *bench_libpulp(void);
const char *bench_file(const char *name, char *buf, size_t size);

/* ulp trigger -v: "ulp: pid N: phases (us): inspect A, attach B, ..." */
struct phases {
	double inspect, attach, load, stop, check, write, resume, pause, total;
	double stops, threads;
};

#define PHASE_NAMES \
	"inspect", "attach", "load", "stop", "check", "write", "resume", "pause", "total", "stops", "threads"
#define NPHASES 11

/* Parse the next phase line of @text at or after *@pos; advances *@pos.
 * Return 1 found, 0 none left. */
int phases_next(const char *text, size_t *pos, pid_t *ret_pid, struct phases *ret);
/* The phases as an array of NPHASES doubles, in PHASE_NAMES order. */
static inline const double *phases_array(const struct phases *p)
{
	return &p->inspect;
}

/* "Processes patched: X, Skipped: Y, Failed: Z." in @out; -1 if absent. */
int trigger_summary(const char *out, int *ret_patched, int *ret_skipped, int *ret_failed);

/* --- sections ------------------------------------------------------------ */

struct bench_opts {
	bool quick;
	int reps; /* 0: each section's default for quick or full */
};

json_object *bench_pause(const struct bench_opts *o);
json_object *bench_calls(const struct bench_opts *o);
json_object *bench_fleet(const struct bench_opts *o);
json_object *bench_idle(const struct bench_opts *o);

/* The stop-and-resume floor (floor.c): seize every thread of @pid,
 * interrupt all, wait until all are stopped, detach all (under SCHED_FIFO
 * with @fifo).  *ret_ns: from the first interrupt to the last detach. */
int floor_stop_resume(pid_t pid, bool fifo, uint64_t *ret_ns);

/* The targets (report.c): evaluate them on the whole document, add them
 * to it as "targets", print the table. */
void report_targets(json_object *doc);

#endif
