/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libpulp/procmaps.h"
#include "ulp/proc.h"

const char *path_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* A /proc/PID file, opened; -ESRCH if the process is gone. */
static int proc_fd(pid_t pid, const char *what)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? fd : errno == ENOENT ? -ESRCH : -errno;
}

/* The whole of a /proc file in one NUL-terminated buffer, few reads. */
static int proc_read_all(pid_t pid, const char *what, char **ret_text)
{
	int fd = proc_fd(pid, what);
	if (fd < 0)
		return fd;
	size_t len = 0, cap = 16384;
	char *text = malloc(cap);
	int r = text ? 0 : -ENOMEM;
	while (r == 0) {
		if (cap - len < 4096) {
			char *p = realloc(text, cap *= 2);
			if (!p) {
				r = -ENOMEM;
				break;
			}
			text = p;
		}
		ssize_t n = read(fd, text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = errno == ESRCH ? -ESRCH : -errno;
		else if (n == 0)
			break;
		else
			len += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(text);
		return r;
	}
	text[len] = '\0';
	*ret_text = text;
	return 0;
}

/*
 * The text of /proc/PID/maps.  A main thread that called pthread_exit()
 * has an empty one while the other threads run on: then a live thread's,
 * tried a few times, since that one may exit before it is read.
 */
#define LIVE_TASK_TRIES 8

static int maps_text_read(pid_t pid, char **ret_text)
{
	int r = proc_read_all(pid, "maps", ret_text);
	for (unsigned tries = 0; r == 0 && !**ret_text && tries < LIVE_TASK_TRIES; tries++) {
		char what[32];
		pid_t tid;
		if (proc_live_task(pid, &tid) < 0 || tid == pid)
			break; /* all exited, or a kernel thread: nothing to patch */
		snprintf(what, sizeof(what), "task/%d/maps", (int)tid);
		char *text;
		int q = proc_read_all(pid, what, &text);
		if (q < 0 && q != -ESRCH) {
			free(*ret_text);
			return q;
		}
		if (q == 0) {
			free(*ret_text);
			*ret_text = text;
		}
	}
	return r;
}

int proc_maps_read(pid_t pid, struct proc_maps *ret_maps)
{
	struct proc_maps m = PROC_MAPS_INIT;
	int r = maps_text_read(pid, &m.text);
	if (r < 0)
		return r;
	size_t alloc = 0;
	for (char *line = *m.text ? m.text : NULL; line; line = (char *)maps_line_next(line)) {
		struct maps_line l;
		if (!maps_line_parse(line, &l))
			continue;
		if (m.n == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			struct proc_map *n = realloc(m.maps, alloc * sizeof(*n));
			if (!n) {
				r = -ENOMEM;
				break;
			}
			m.maps = n;
		}
		m.maps[m.n++] = (struct proc_map){ .start = l.start,
						   .end = l.end,
						   .offset = l.offset,
						   .dev = (uint64_t)l.major << 32 | l.minor,
						   .inode = l.inode,
						   .exec = l.perms[2] == 'x',
						   .path = (char *)l.path };
	}
	/* Paths point into the text: cut them at their newlines now that
	 * every line has been found. */
	for (size_t i = 0; r == 0 && i < m.n; i++)
		m.maps[i].path[strcspn(m.maps[i].path, "\n")] = '\0';
	if (r == 0 && m.n == 0)
		r = -ESRCH; /* a zombie or a kernel thread: nothing to patch */
	if (r < 0) {
		proc_maps_release(&m);
		return r;
	}
	*ret_maps = m;
	return 0;
}

void proc_maps_release(struct proc_maps *m)
{
	free(m->maps);
	free(m->text);
	*m = (struct proc_maps)PROC_MAPS_INIT;
}

const struct proc_map *proc_maps_find_object(const struct proc_maps *m, const char *name, const struct proc_map *from)
{
	size_t i = from ? (size_t)(from - m->maps) + 1 : 0;
	for (; i < m->n; i++) {
		const struct proc_map *map = &m->maps[i];
		if (map->offset == 0 && map->path[0] == '/' && strcmp(path_basename(map->path), name) == 0)
			return map;
	}
	return NULL;
}

int proc_map_open(pid_t pid, const struct proc_map *map)
{
	char path[4200];
	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, map->start, map->end);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, map->path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	fd = open(map->path, O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

static int tid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

int proc_tasks(pid_t pid, pid_t **ret_tids, size_t *ret_n)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	pid_t *tids = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			pid_t *t = realloc(tids, alloc * sizeof(*t));
			if (!t) {
				free(tids);
				closedir(d);
				return -ENOMEM;
			}
			tids = t;
		}
		tids[n++] = (pid_t)atoi(de->d_name);
	}
	closedir(d);
	qsort(tids, n, sizeof(*tids), tid_cmp);
	*ret_tids = tids;
	*ret_n = n;
	return 0;
}

#define PF_EXITING 0x00000004 /* the kernel's task flag: in do_exit(), its memory going */

/*
 * Whether thread @tid of @pid is alive (not exited, not exiting), and
 * when it started (in clock ticks since boot).  Return: 1 alive, 0 not,
 * or -errno if its stat cannot be read for another reason.
 */
static int task_alive(pid_t pid, pid_t tid, unsigned long long *ret_start)
{
	char path[32], stat[1024];
	snprintf(path, sizeof(path), "task/%d/stat", (int)tid);
	int fd = proc_fd(pid, path);
	if (fd < 0)
		return fd == -ESRCH ? 0 : fd;
	ssize_t n = read(fd, stat, sizeof(stat) - 1);
	int e = errno;
	close(fd);
	if (n <= 0)
		return n == 0 || e == ESRCH ? 0 : -e;
	stat[n] = '\0';
	/* "TID (COMM) S PPID PGRP SESSION TTY TPGID FLAGS (12 more) START
	 * ...": the name may hold spaces and parentheses */
	const char *end = strrchr(stat, ')');
	char state;
	unsigned flags;
	unsigned long long start = 0;
	if (!end || sscanf(end + 1, " %c %*s %*s %*s %*s %*s %u %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
			   &state, &flags, &start) != 3)
		return -EINVAL;
	*ret_start = start;
	return !(state == 'Z' || state == 'X' || (flags & PF_EXITING));
}

bool proc_task_dead(pid_t pid, pid_t tid)
{
	unsigned long long start;
	return task_alive(pid, tid, &start) == 0;
}

int proc_live_task(pid_t pid, pid_t *ret_tid)
{
	unsigned long long start, oldest = ~0ull;
	if (task_alive(pid, pid, &start) != 0) {
		*ret_tid = pid;
		return 0;
	}
	pid_t *tids;
	size_t n;
	int r = proc_tasks(pid, &tids, &n);
	if (r < 0)
		return r;
	/* The oldest: most likely to outlive what is read through it (new
	 * threads may be short-lived ones, and their ids reused ones). */
	r = -ESRCH;
	for (size_t i = 0; i < n; i++)
		if (tids[i] != pid && task_alive(pid, tids[i], &start) == 1 && start < oldest) {
			oldest = start;
			*ret_tid = tids[i];
			r = 0;
		}
	free(tids);
	return r;
}

int proc_comm(pid_t pid, char *buf, size_t len)
{
	if (!len)
		return -EINVAL;
	int fd = proc_fd(pid, "comm");
	if (fd < 0)
		return fd;
	ssize_t n = read(fd, buf, len - 1);
	int r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

pid_t proc_tracer(pid_t pid)
{
	char *text;
	if (proc_read_all(pid, "status", &text) < 0)
		return 0;
	const char *at = strstr(text, "\nTracerPid:");
	pid_t tracer = at ? (pid_t)strtol(at + strlen("\nTracerPid:"), NULL, 10) : 0;
	free(text);
	return tracer;
}

/* The hexadecimal mask after "\nFIELD:" in a status file, 0 if absent. */
static uint64_t status_mask(const char *text, const char *field)
{
	const char *at = strstr(text, field);
	return at ? strtoull(at + strlen(field), NULL, 16) : 0;
}

int proc_signal_pending(pid_t pid, pid_t tid)
{
	char what[64], *text;
	snprintf(what, sizeof(what), "task/%d/status", (int)tid);
	int r = proc_read_all(pid, what, &text);
	if (r < 0)
		return r;
	uint64_t pending = status_mask(text, "\nSigPnd:") | status_mask(text, "\nShdPnd:");
	uint64_t blocked = status_mask(text, "\nSigBlk:");
	free(text);
	return (pending & ~blocked) != 0;
}

int proc_seccomp_mode(pid_t pid)
{
	char *text;
	if (proc_read_all(pid, "status", &text) < 0)
		return -1;
	const char *at = strstr(text, "\nSeccomp:");
	int mode = at ? (int)strtol(at + strlen("\nSeccomp:"), NULL, 10) : -1;
	free(text);
	return mode;
}

/* The decimal numbers after "\nKEY:" in @text, at most @max (*@ret_n is
 * @max + 1 if there are more); -EPROTO if absent. */
static int status_numbers(const char *text, const char *key, uint64_t *out, size_t max, size_t *ret_n)
{
	char pat[32];
	snprintf(pat, sizeof(pat), "\n%s:", key);
	const char *s = strstr(text, pat);
	if (!s)
		return -EPROTO;
	s += strlen(pat);
	size_t n = 0;
	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\n' || !*s)
			break;
		char *end;
		uint64_t v = strtoull(s, &end, 10);
		if (end == s)
			return -EPROTO;
		if (n == max) {
			*ret_n = n + 1; /* more than fit */
			return 0;
		}
		out[n++] = v;
		s = end;
	}
	*ret_n = n;
	return 0;
}

int proc_creds(pid_t pid, struct proc_creds *ret_creds)
{
	struct proc_creds c = { .groups_complete = true };
	uint64_t uids[4], gids[4], groups[PROC_GROUPS_MAX];
	size_t nu = 0, ng = 0, ngroups = 0;
	char *text, path[64];
	int r = proc_read_all(pid, "status", &text);
	if (r < 0)
		return r;
	r = status_numbers(text, "Uid", uids, 4, &nu);
	if (r == 0)
		r = status_numbers(text, "Gid", gids, 4, &ng);
	if (r == 0)
		r = status_numbers(text, "Groups", groups, PROC_GROUPS_MAX, &ngroups);
	c.cap_eff = status_mask(text, "\nCapEff:");
	free(text);
	if (r == 0 && (nu != 4 || ng != 4))
		r = -EPROTO;
	if (r < 0)
		return r;
	c.euid = (uid_t)uids[1];
	c.fsuid = (uid_t)uids[3];
	c.fsgid = (gid_t)gids[3];
	c.groups_complete = ngroups <= PROC_GROUPS_MAX;
	c.ngroups = c.groups_complete ? ngroups : PROC_GROUPS_MAX;
	for (size_t i = 0; i < c.ngroups; i++)
		c.groups[i] = (gid_t)groups[i];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (stat(path, &st) < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	c.proc_owner = st.st_uid;
	*ret_creds = c;
	return 0;
}
