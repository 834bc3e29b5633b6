/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ulp/discover.h"
#include "ulp/proc.h"

static bool has_runtime(pid_t pid)
{
	struct proc_maps m = PROC_MAPS_INIT;
	if (proc_maps_read(pid, &m) < 0)
		return false;
	bool found = false;
	for (size_t i = 0; i < m.n && !found; i++)
		found = strncmp(path_basename(m.maps[i].path), "libpulp", 7) == 0;
	proc_maps_release(&m);
	return found;
}

static bool selected(pid_t pid, const char *glob)
{
	if (!glob)
		return has_runtime(pid);
	char comm[64];
	return proc_comm(pid, comm, sizeof(comm)) == 0 && fnmatch(glob, comm, 0) == 0;
}

static int pid_parse(const char *s, pid_t *ret)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || !*s || *end || v <= 0 || v > 0x3fffffff)
		return -EINVAL;
	*ret = (pid_t)v;
	return 0;
}

bool discover_is_pid(const char *spec)
{
	pid_t pid;
	return spec && pid_parse(spec, &pid) == 0;
}

int discover_pids(const char *spec, pid_t **ret_pids, size_t *ret_n)
{
	pid_t one;
	if (spec && pid_parse(spec, &one) == 0) {
		*ret_pids = malloc(sizeof(pid_t));
		if (!*ret_pids)
			return -ENOMEM;
		**ret_pids = one;
		*ret_n = 1;
		return 0;
	}
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	pid_t *pids = NULL, self = getpid();
	size_t n = 0, alloc = 0;
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		pid_t pid;
		if (pid_parse(de->d_name, &pid) < 0 || pid == self || !selected(pid, spec))
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 32;
			pid_t *p = realloc(pids, alloc * sizeof(*p));
			if (!p) {
				r = -ENOMEM;
				break;
			}
			pids = p;
		}
		pids[n++] = pid;
	}
	closedir(d);
	if (r < 0) {
		free(pids);
		return r;
	}
	*ret_pids = pids;
	*ret_n = n;
	return 0;
}

int discover_user_parse(const char *user, uid_t *ret_uid)
{
	struct passwd *pw = getpwnam(user);
	if (pw) {
		*ret_uid = pw->pw_uid;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(user, &end, 10);
	if (errno || !*user || *end || v > UINT_MAX)
		return -EINVAL;
	*ret_uid = (uid_t)v;
	return 0;
}

bool discover_owned_by(pid_t pid, uid_t uid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) == 0 && st.st_uid == uid;
}
