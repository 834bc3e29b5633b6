/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ulp/proc.h"

const char *path_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int proc_open(pid_t pid, const char *what, FILE **ret_f)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	*ret_f = f;
	return 0;
}

static int maps_line_parse(const char *line, struct proc_map *ret)
{
	uint64_t start, end, offset, inode;
	unsigned maj, min;
	char perms[8];
	int path_at = 0;
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 " %n", &start, &end, perms, &offset,
		   &maj, &min, &inode, &path_at) < 7)
		return -EINVAL;
	const char *path = line + path_at;
	size_t len = strcspn(path, "\n");
	*ret = (struct proc_map){ .start = start,
				  .end = end,
				  .offset = offset,
				  .dev = (uint64_t)maj << 32 | min,
				  .inode = inode,
				  .exec = perms[2] == 'x' };
	ret->path = strndup(path, len);
	return ret->path ? 0 : -ENOMEM;
}

int proc_maps_read(pid_t pid, struct proc_maps *ret_maps)
{
	struct proc_maps m = PROC_MAPS_INIT;
	FILE *f = NULL;
	int r = proc_open(pid, "maps", &f);
	if (r < 0)
		return r;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	while (getline(&line, &cap, f) > 0) {
		if (m.n == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			struct proc_map *n = realloc(m.maps, alloc * sizeof(*n));
			if (!n) {
				r = -ENOMEM;
				break;
			}
			m.maps = n;
		}
		if (maps_line_parse(line, &m.maps[m.n]) == 0)
			m.n++;
	}
	free(line);
	fclose(f);
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
	for (size_t i = 0; i < m->n; i++)
		free(m->maps[i].path);
	free(m->maps);
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

int proc_comm(pid_t pid, char *buf, size_t len)
{
	FILE *f = NULL;
	int r = proc_open(pid, "comm", &f);
	if (r < 0)
		return r;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return 0;
}

pid_t proc_tracer(pid_t pid)
{
	FILE *f = NULL;
	if (proc_open(pid, "status", &f) < 0)
		return 0;
	char line[256];
	pid_t tracer = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	fclose(f);
	return tracer;
}
