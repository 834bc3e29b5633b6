/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.c - samples, processes, ulp's output: what the sections of
 * ulp-bench share (bench.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-config.h"
#include "bench.h"

extern char **environ;

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --- samples ------------------------------------------------------------- */

void samples_add(struct samples *s, double v)
{
	if (s->n == s->alloc) {
		size_t alloc = s->alloc ? 2 * s->alloc : 16;
		double *p = realloc(s->v, alloc * sizeof(*p));
		if (!p)
			return; /* a lost sample; n says how many there are */
		s->v = p;
		s->alloc = alloc;
	}
	s->v[s->n++] = v;
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double samples_median(const struct samples *s)
{
	if (!s->n)
		return NAN;
	double *c = malloc(s->n * sizeof(*c));
	if (!c)
		return NAN;
	memcpy(c, s->v, s->n * sizeof(*c));
	qsort(c, s->n, sizeof(*c), double_cmp);
	double m = s->n % 2 ? c[s->n / 2] : (c[s->n / 2 - 1] + c[s->n / 2]) / 2;
	free(c);
	return m;
}

double samples_mean(const struct samples *s)
{
	double sum = 0;
	for (size_t i = 0; i < s->n; i++)
		sum += s->v[i];
	return s->n ? sum / (double)s->n : NAN;
}

double samples_min(const struct samples *s)
{
	double m = s->n ? s->v[0] : NAN;
	for (size_t i = 1; i < s->n; i++)
		m = s->v[i] < m ? s->v[i] : m;
	return m;
}

double samples_max(const struct samples *s)
{
	double m = s->n ? s->v[0] : NAN;
	for (size_t i = 1; i < s->n; i++)
		m = s->v[i] > m ? s->v[i] : m;
	return m;
}

void samples_release(struct samples *s)
{
	free(s->v);
	*s = (struct samples)SAMPLES_INIT;
}

/* JSON has no NaN: an empty summary has nulls. */
static json_object *json_number(double v)
{
	return isnan(v) ? NULL : json_object_new_double(v);
}

json_object *samples_json(const struct samples *s)
{
	json_object *o = json_object_new_object(), *all = json_object_new_array();
	json_object_object_add(o, "median", json_number(samples_median(s)));
	json_object_object_add(o, "min", json_number(samples_min(s)));
	json_object_object_add(o, "max", json_number(samples_max(s)));
	json_object_object_add(o, "n", json_object_new_int((int)s->n));
	for (size_t i = 0; i < s->n; i++)
		json_object_array_add(all, json_object_new_double(s->v[i]));
	json_object_object_add(o, "samples", all);
	return o;
}

static double json_field(json_object *summary, const char *key)
{
	json_object *v;
	if (!summary || !json_object_object_get_ex(summary, key, &v) || !v)
		return NAN;
	return json_object_get_double(v);
}

double json_median(json_object *summary)
{
	return json_field(summary, "median");
}

json_object *json_path(json_object *o, ...)
{
	va_list ap;
	const char *key;
	va_start(ap, o);
	while (o && (key = va_arg(ap, const char *)))
		if (!json_object_object_get_ex(o, key, &o))
			o = NULL;
	va_end(ap);
	return o;
}

static const char *range_text(double med, double lo, double hi, int decimals, char *buf, size_t size)
{
	if (isnan(med))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.*f [%.*f-%.*f]", decimals, med, decimals, lo, decimals, hi);
	return buf;
}

const char *stats_text(const struct samples *s, int decimals, char *buf, size_t size)
{
	return range_text(samples_median(s), samples_min(s), samples_max(s), decimals, buf, size);
}

const char *json_stats_text(json_object *summary, int decimals, char *buf, size_t size)
{
	return range_text(json_median(summary), json_field(summary, "min"), json_field(summary, "max"), decimals, buf,
			  size);
}

/* --- processes ----------------------------------------------------------- */

static pid_t *tracked;
static size_t ntracked, tracked_alloc;

void pids_track(pid_t pid)
{
	if (ntracked == tracked_alloc) {
		size_t alloc = tracked_alloc ? 2 * tracked_alloc : 64;
		pid_t *p = realloc(tracked, alloc * sizeof(*p));
		if (!p) {
			/* it could not be killed at exit: do not leave it */
			kill(pid, SIGKILL);
			return;
		}
		tracked = p;
		tracked_alloc = alloc;
	}
	tracked[ntracked++] = pid;
}

void pids_forget(pid_t pid)
{
	for (size_t i = 0; i < ntracked; i++)
		if (tracked[i] == pid) {
			tracked[i] = tracked[--ntracked];
			return;
		}
}

/* Also called from a signal handler: kill(2) only. */
void pids_kill_all(void)
{
	for (size_t i = 0; i < ntracked; i++)
		kill(tracked[i], SIGKILL);
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Wait until @pid has exited, at most @timeout_ms.  Return 1 exited, 0 not. */
static int pid_wait_exit(pid_t pid, int timeout_ms)
{
	int fd = pidfd_open(pid);
	if (fd < 0) /* already reaped, or no pidfd: waitpid will tell */
		return 1;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;
	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	close(fd);
	return r > 0;
}

/* pid_reap() that also returns the CPU time the process and the children
 * it waited for used (wait4's rusage), in *ret_cpu_ns if not NULL. */
static int pid_reap_cpu(pid_t pid, int timeout_ms, uint64_t *ret_cpu_ns)
{
	struct rusage ru;
	int status = -1;
	if (!pid_wait_exit(pid, timeout_ms)) {
		kill(pid, SIGKILL);
		pid_wait_exit(pid, 5000);
		waitpid(pid, NULL, 0);
		pids_forget(pid);
		return -1;
	}
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	pids_forget(pid);
	if (ret_cpu_ns)
		*ret_cpu_ns = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
			      (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
	return status;
}

int pid_reap(pid_t pid, int timeout_ms)
{
	return pid_reap_cpu(pid, timeout_ms, NULL);
}

/* environ without LD_PRELOAD, plus LD_PRELOAD=@preload if not NULL. */
static char **env_with_preload(const char *preload)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			env[k++] = environ[i];
	if (preload) {
		static char var[4096];
		snprintf(var, sizeof(var), "LD_PRELOAD=%s", preload);
		env[k++] = var;
	}
	return env;
}

int proc_spawn(pid_t *ret_pid, const char *const argv[], int fd0, int fd1, int fd2, const char *preload)
{
	posix_spawn_file_actions_t fa;
	char **env = env_with_preload(preload);
	if (!env)
		return -ENOMEM;
	posix_spawn_file_actions_init(&fa);
	if (fd0 >= 0)
		posix_spawn_file_actions_adddup2(&fa, fd0, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (fd1 >= 0)
		posix_spawn_file_actions_adddup2(&fa, fd1, 1);
	if (fd2 >= 0)
		posix_spawn_file_actions_adddup2(&fa, fd2, 2);
	int r = posix_spawn(ret_pid, argv[0], &fa, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (r != 0)
		return -r;
	pids_track(*ret_pid);
	return 0;
}

int child_start(struct child *c, const char *const argv[], bool preload, const char *ready)
{
	int in[2], out[2];
	char line[512];
	*c = (struct child)CHILD_INIT;
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -errno;
	}
	int r = proc_spawn(&c->pid, argv, in[0], out[1], -1, preload ? bench_libpulp() : NULL);
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = out[0];
	if (r < 0) {
		fprintf(stderr, "ulp-bench: cannot start '%s': %s\n", argv[0], strerror(-r));
		child_stop(c);
		return r;
	}
	if (child_read_line(c, line, sizeof(line), 10000) < 0 || strncmp(line, ready ? ready : "ready", 5) != 0) {
		fprintf(stderr, "ulp-bench: '%s' (pid %d) did not say it was ready\n", argv[0], c->pid);
		child_stop(c);
		return -1;
	}
	return 0;
}

/* Take one buffered line into @line, if there is one. */
static int line_take(struct child *c, char *line, size_t size)
{
	char *nl = memchr(c->buf, '\n', c->len);
	if (!nl)
		return 0;
	size_t n = (size_t)(nl - c->buf);
	snprintf(line, size, "%.*s", (int)n, c->buf);
	memmove(c->buf, nl + 1, c->len - n - 1);
	c->len -= n + 1;
	return 1;
}

int child_read_line(struct child *c, char *line, size_t size, int timeout_ms)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
	while (!line_take(c, line, size)) {
		int left = (int)(((int64_t)(deadline - now_ns())) / 1000000);
		struct pollfd p = { .fd = c->out, .events = POLLIN };
		if (left <= 0 || c->len == sizeof(c->buf))
			return -1;
		int r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		ssize_t n = read(c->out, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n <= 0)
			return -1;
		c->len += (size_t)n;
	}
	return 0;
}

int child_ask(struct child *c, const char *cmd, const char *prefix, char *line, size_t size, int timeout_ms)
{
	size_t len = strlen(cmd);
	char buf[256];
	snprintf(buf, sizeof(buf), "%s\n", cmd);
	if (write(c->in, buf, len + 1) != (ssize_t)(len + 1)) {
		fprintf(stderr, "ulp-bench: cannot write to pid %d: %s\n", c->pid, strerror(errno));
		return -1;
	}
	if (child_read_line(c, line, size, timeout_ms) < 0) {
		fprintf(stderr, "ulp-bench: pid %d did not answer '%s'\n", c->pid, cmd);
		return -1;
	}
	if (strncmp(line, prefix, strlen(prefix)) != 0) {
		fprintf(stderr, "ulp-bench: pid %d answered '%s' to '%s'\n", c->pid, line, cmd);
		return -1;
	}
	return 0;
}

void child_stop(struct child *c)
{
	if (c->pid > 0 && c->in >= 0) {
		char line[256];
		if (write(c->in, "quit\n", 5) == 5)
			while (child_read_line(c, line, sizeof(line), 2000) == 0 && strcmp(line, "bye") != 0)
				;
	}
	if (c->in >= 0)
		close(c->in);
	if (c->pid > 0)
		pid_reap(c->pid, 3000);
	if (c->out >= 0)
		close(c->out);
	*c = (struct child)CHILD_INIT;
}

static char *fd_slurp(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *s = malloc(size > 0 ? (size_t)size + 1 : 1);
	if (!s)
		return NULL;
	ssize_t n = size > 0 ? pread(fd, s, (size_t)size, 0) : 0;
	s[n > 0 ? n : 0] = '\0';
	return s;
}

int cmd_run(const char *const argv[], const char *preload, int timeout_ms, struct cmd_result *ret)
{
	*ret = (struct cmd_result)CMD_RESULT_INIT;
	int out = memfd_create("bench-out", MFD_CLOEXEC), err = memfd_create("bench-err", MFD_CLOEXEC);
	pid_t pid;
	int r = out < 0 || err < 0 ? -errno : 0;
	if (r == 0) {
		uint64_t t0 = now_ns();
		r = proc_spawn(&pid, argv, -1, out, err, preload);
		if (r == 0) {
			int exited = pid_wait_exit(pid, timeout_ms);
			ret->wall_ns = now_ns() - t0;
			ret->status = pid_reap_cpu(pid, 0, &ret->cpu_ns);
			if (!exited)
				r = -ETIMEDOUT;
		}
	}
	if (out >= 0) {
		ret->out = fd_slurp(out);
		close(out);
	}
	if (err >= 0) {
		ret->err = fd_slurp(err);
		close(err);
	}
	if (r < 0)
		fprintf(stderr, "ulp-bench: '%s': %s\n", argv[0],
			r == -ETIMEDOUT ? "did not finish in time, killed" : strerror(-r));
	return r;
}

void cmd_result_release(struct cmd_result *r)
{
	free(r->out);
	free(r->err);
	*r = (struct cmd_result)CMD_RESULT_INIT;
}

/* --- ulp ----------------------------------------------------------------- */

const char *bench_ulp(void)
{
	const char *e = getenv("ULP");
	return e && *e ? e : BENCH_ULP_PATH;
}

const char *bench_libpulp(void)
{
	const char *e = getenv("LIBPULP");
	return e && *e ? e : BENCH_LIBPULP_PATH;
}

const char *bench_file(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", BENCH_BUILD_DIR, name);
	return buf;
}

int phases_next(const char *text, size_t *pos, pid_t *ret_pid, struct phases *p)
{
	static const char marker[] = ": phases (us): ";
	const char *s = text + *pos;
	for (const char *m; (m = strstr(s, marker)); s = m + 1) {
		const char *line = m;
		while (line > text && line[-1] != '\n')
			line--;
		const char *pid = strstr(line, "pid ");
		int n = 0;
		if (pid && pid < m)
			n = sscanf(pid,
				   "pid %d: phases (us): inspect %lf, attach %lf, load %lf, stop %lf, check %lf, "
				   "write %lf, resume %lf, pause %lf, total %lf, stops %lf, threads %lf",
				   ret_pid, &p->inspect, &p->attach, &p->load, &p->stop, &p->check, &p->write,
				   &p->resume, &p->pause, &p->total, &p->stops, &p->threads);
		if (n == 12) {
			*pos = (size_t)(m - text) + 1;
			return 1;
		}
	}
	*pos = strlen(text);
	return 0;
}

int trigger_summary(const char *out, int *ret_patched, int *ret_skipped, int *ret_failed)
{
	const char *s = out ? strstr(out, "Processes patched: ") : NULL;
	if (!s ||
	    sscanf(s, "Processes patched: %d, Skipped: %d, Failed: %d.", ret_patched, ret_skipped, ret_failed) != 3)
		return -1;
	return 0;
}
