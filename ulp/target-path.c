/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * target-path.c - the patch file as a process will open it.
 *
 * The runtime open()s the path the controller sends, as the process: from
 * its root directory, in its mount namespace, with its user and groups.
 * A process in a chroot, in a container or that dropped root may see
 * another file at ulp's path, none, or one it may not read.  So the path
 * is worked out from ulp's side before anything is sent: every candidate
 * is opened from the process's root (/proc/PID/root, with openat2's
 * RESOLVE_IN_ROOT, which resolves ".." and absolute symbolic links as
 * a chroot there would) and must be the very file ulp checked (device and
 * inode): a copy is refused, as it may not be the file ulp trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ulp/proc.h"
#include "ulp/target-path.h"

/* The process's root directory as ulp reaches it. */
struct root_view {
	pid_t pid;
	pid_t tid;	   /* a live thread (the main one may have exited) */
	int fd;		   /* /proc/PID/root, O_PATH */
	ino_t ns;	   /* its mount namespace */
	bool other_ns;	   /* not ulp's */
	bool blind;	   /* no openat2 (Linux < 5.6): nothing can be verified */
	char at[PATH_MAX]; /* where it is ("/": not in a chroot) */
};

/* @path opened as the process would, from its root; -errno on failure. */
static int root_open(const struct root_view *rv, const char *path, int flags)
{
	struct open_how how = {
		/* openat2 refuses flags O_PATH ignores, such as O_NOCTTY. */
		.flags = (uint64_t)(flags | O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY)),
		/* A magic link (/proc/self/...) would lead to ulp, not to it. */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, rv->fd, path, &how, sizeof(how));
	return fd >= 0 ? (int)fd : -errno;
}

static int ns_ino(const char *path, ino_t *ret_ino)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	*ret_ino = st.st_ino;
	return 0;
}

static int root_view_open(pid_t pid, struct root_view *rv)
{
	char path[64];
	ino_t mine = 0, its = 0;
	rv->pid = pid;
	/* Through a live thread: a main thread that called pthread_exit()
	 * has no root or namespace to show any more. */
	int r = proc_live_task(pid, &rv->tid);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/mnt", (int)pid, (int)rv->tid);
	r = ns_ino("/proc/self/ns/mnt", &mine);
	if (r == 0)
		r = ns_ino(path, &its);
	if (r < 0)
		return r;
	rv->ns = its;
	rv->other_ns = mine != its;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/root", (int)pid, (int)rv->tid);
	ssize_t n = readlink(path, rv->at, sizeof(rv->at) - 1);
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	rv->at[n] = '\0';
	rv->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rv->fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	int fd = root_open(rv, "/", O_PATH);
	rv->blind = fd == -ENOSYS;
	if (fd >= 0)
		close(fd);
	return 0;
}

/* "process N runs in a chroot at '/srv/jail'", for messages. */
static void root_describe(const struct root_view *rv, char *buf, size_t cap)
{
	bool chroot = strcmp(rv->at, "/") != 0;
	if (rv->other_ns)
		snprintf(buf, cap, "process %d runs in another mount namespace%s%.1024s%s", (int)rv->pid,
			 chroot ? ", in a chroot at '" : "", chroot ? rv->at : "", chroot ? "' there" : "");
	else if (chroot)
		snprintf(buf, cap, "process %d runs in a chroot at '%.1024s'", (int)rv->pid, rv->at);
	else
		snprintf(buf, cap, "process %d", (int)rv->pid);
}

/* @path without its leading directory @dir, or NULL if not under it. */
static const char *path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return path;
	if (strncmp(path, dir, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return NULL;
	return path + n;
}

/* @dir followed by @rest (what path_under() left), into @out. */
static bool path_join(char *out, size_t cap, const char *dir, const char *rest)
{
	bool root = strcmp(dir, "/") == 0;
	int n = snprintf(out, cap, "%s%s", root && *rest ? "" : dir, rest);
	return n > 0 && (size_t)n < cap;
}

/* The search for the file among the paths the process may see it at. */
struct locate {
	const struct root_view *rv;
	struct stat want; /* the file ulp read */
	bool found;
	bool other_file; /* ulp's own path leads the process to another file */
	char path[PATH_MAX];
};

/* Whether @cand leads the process to the file ulp read (whether it may
 * read it is another question: O_PATH). */
static bool locate_try(struct locate *l, const char *cand)
{
	struct stat st;
	int fd = root_open(l->rv, cand, O_PATH);
	if (fd < 0)
		return false;
	bool same = fstat(fd, &st) == 0 && st.st_dev == l->want.st_dev && st.st_ino == l->want.st_ino;
	close(fd);
	if (same && strlen(cand) < sizeof(l->path)) {
		strcpy(l->path, cand);
		l->found = true;
	}
	return l->found;
}

/* One line of a mountinfo file: "ID PARENT MAJ:MIN ROOT POINT ...". */
struct mount_line {
	unsigned maj, min;
	char root[PATH_MAX], point[PATH_MAX];
};

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *d = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

static bool mount_line_parse(const char *line, struct mount_line *m)
{
	if (sscanf(line, "%*u %*u %u:%u %4095s %4095s", &m->maj, &m->min, m->root, m->point) != 4)
		return false;
	unescape(m->root);
	unescape(m->point);
	return true;
}

/*
 * Where ulp's file lies in its file system: @path inside the mount that
 * holds it (the last of those stacked on the longest mount point), into
 * @ret_fspath.  False if that mount is not the file's device.
 */
static bool fs_path_of(const char *path, const struct stat *st, char *ret_fspath, size_t cap)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	struct mount_line *m = malloc(sizeof(*m));
	char *line = NULL;
	size_t len = 0, best = 0;
	bool ok = false;
	while (f && m && getline(&line, &len, f) > 0) {
		const char *rest;
		if (!mount_line_parse(line, m) || !(rest = path_under(path, m->point)) || strlen(m->point) < best)
			continue;
		best = strlen(m->point);
		ok = m->maj == major(st->st_dev) && m->min == minor(st->st_dev) &&
		     path_join(ret_fspath, cap, m->root, rest);
	}
	free(line);
	free(m);
	if (f)
		fclose(f);
	return ok;
}

/* Every mount of the process's namespace that shows ulp's file: a bind
 * mount of its directory, or the same file system mounted elsewhere. */
static void locate_in_mounts(struct locate *l, const char *path)
{
	char fspath[PATH_MAX], cand[PATH_MAX], file[64];
	if (!fs_path_of(path, &l->want, fspath, sizeof(fspath)))
		return;
	snprintf(file, sizeof(file), "/proc/%d/task/%d/mountinfo", (int)l->rv->pid, (int)l->rv->tid);
	FILE *f = fopen(file, "re");
	struct mount_line *m = malloc(sizeof(*m));
	char *line = NULL;
	size_t len = 0;
	while (f && m && !l->found && getline(&line, &len, f) > 0) {
		const char *rest;
		if (mount_line_parse(line, m) && m->maj == major(l->want.st_dev) && m->min == minor(l->want.st_dev) &&
		    (rest = path_under(fspath, m->root)) && path_join(cand, sizeof(cand), m->point, rest))
			locate_try(l, cand);
	}
	free(line);
	free(m);
	if (f)
		fclose(f);
}

/* The file at ulp's own path; inside the chroot; through a mount. */
static void locate(struct locate *l, const char *path)
{
	const char *inside = path_under(path, l->rv->at);
	if (locate_try(l, path))
		return;
	int fd = root_open(l->rv, path, O_PATH);
	l->other_file = fd >= 0;
	if (fd >= 0)
		close(fd);
	if (inside && *inside && strcmp(l->rv->at, "/") != 0 && locate_try(l, inside))
		return;
	locate_in_mounts(l, path);
}

/* The runtime checks what it mapped through /proc/self/maps. */
static bool root_has_proc(const struct root_view *rv)
{
	struct statfs sf;
	int fd = root_open(rv, "/proc", O_PATH | O_DIRECTORY);
	bool ok = fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* In a child: become the process's file system user, groups and no
 * capabilities, and open @path from its root.  Exit status: the errno. */
static void try_as(const struct root_view *rv, const struct proc_creds *c, const char *path)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = { 0 };
	if (setgroups(c->ngroups, c->groups) < 0 || setresgid(c->fsgid, c->fsgid, c->fsgid) < 0 ||
	    setresuid(c->fsuid, c->fsuid, c->fsuid) < 0 || syscall(SYS_capset, &h, none) < 0)
		_exit(255);
	int fd = root_open(rv, path, O_RDONLY | O_NONBLOCK);
	_exit(fd >= 0 ? 0 : -fd < 255 ? -fd : 255);
}

/* Who tries to open, from where. */
struct try_key {
	uid_t fsuid;
	gid_t fsgid;
	size_t ngroups;
	ino_t ns;
	struct stat root;
};

/*
 * The last try's answer: a fleet of daemons of one user in one root asks
 * the same question for each process, and each try is a fork.
 */
static struct {
	bool valid;
	struct try_key key;
	gid_t groups[PROC_GROUPS_MAX];
	char path[PATH_MAX];
	int r;
} last_try;

static bool last_try_is(const struct try_key *k, const gid_t *groups, const char *path)
{
	const struct try_key *l = &last_try.key;
	return last_try.valid && l->fsuid == k->fsuid && l->fsgid == k->fsgid && l->ngroups == k->ngroups &&
	       l->ns == k->ns && l->root.st_dev == k->root.st_dev && l->root.st_ino == k->root.st_ino &&
	       memcmp(last_try.groups, groups, k->ngroups * sizeof(*groups)) == 0 && strcmp(last_try.path, path) == 0;
}

/*
 * Whether the process can open @path as itself, tried in a child that
 * takes its identity: a real open() sees what permission bits alone do
 * not (directories it cannot search, ACLs).  Only root can take another
 * identity; a ulp that is not root patches processes of its own user,
 * and the runtime's own error says it if it cannot open the file.  A
 * process that may bypass file permissions (CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH) needs no try.  Return 0 or -errno.
 */
static int creds_check(const struct root_view *rv, const struct proc_creds *c, const char *path)
{
	uint64_t bypass = 1ull << CAP_DAC_OVERRIDE | 1ull << CAP_DAC_READ_SEARCH;
	struct try_key key = { .fsuid = c->fsuid, .fsgid = c->fsgid, .ngroups = c->ngroups, .ns = rv->ns };
	if (geteuid() != 0 || (c->cap_eff & bypass) || !c->groups_complete || fstat(rv->fd, &key.root) < 0)
		return 0;
	if (last_try_is(&key, c->groups, path))
		return last_try.r;
	pid_t child = fork();
	if (child < 0)
		return 0; /* the runtime's open will say */
	if (child == 0)
		try_as(rv, c, path);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 255)
		return 0;
	last_try.valid = strlen(path) < sizeof(last_try.path);
	last_try.key = key;
	memcpy(last_try.groups, c->groups, c->ngroups * sizeof(*c->groups));
	snprintf(last_try.path, sizeof(last_try.path), "%s", path);
	last_try.r = -WEXITSTATUS(status);
	return last_try.r;
}

static int not_found(const struct root_view *rv, const struct locate *l, const char *path, char *why, size_t cap)
{
	char who[1200], where[PATH_MAX + 64];
	root_describe(rv, who, sizeof(who));
	bool chroot = strcmp(rv->at, "/") != 0;
	const char *what = l->other_file ? "is another file than the one ulp checked" : "is not visible";
	if (!rv->other_ns && !chroot) {
		snprintf(why, cap, "process %d: '%s' changed or went away while ulp checked it; retry", (int)rv->pid,
			 path);
	} else if (rv->other_ns) {
		snprintf(why, cap,
			 "%s, where '%s' %s: make that file visible there (bind-mount its directory into that "
			 "namespace) and pass the path ulp sees it at",
			 who, path, what);
	} else {
		snprintf(where, sizeof(where), "to load that one, pass '%.4000s%s'; else ", rv->at, path);
		snprintf(why, cap, "%s, where '%s' %s: %scopy the patch under '%s' and pass that path", who, path, what,
			 l->other_file ? where : "", rv->at);
	}
	return -ENOENT;
}

static int no_proc(const struct root_view *rv, char *why, size_t cap)
{
	char who[1200], where[PATH_MAX + 64];
	root_describe(rv, who, sizeof(who));
	bool chroot = strcmp(rv->at, "/") != 0;
	if (rv->other_ns)
		snprintf(where, sizeof(where), "at /proc%s in its mount namespace", chroot ? " of its root" : "");
	else
		snprintf(where, sizeof(where), "at '%.4000s/proc'", chroot ? rv->at : "");
	snprintf(why, cap, "%s%s: its runtime checks the patch it loads through /proc/self/maps; mount proc %s", who,
		 rv->other_ns || chroot ? " without /proc" : " has no /proc", where);
	return -ENOTDIR;
}

static int cannot_read(const struct proc_creds *c, pid_t pid, const char *path, const char *tpath, int r, char *why,
		       size_t cap)
{
	bool moved = strcmp(path, tpath) != 0;
	snprintf(why, cap,
		 "process %d runs as uid %u (gid %u), which cannot open '%s'%s%s%s: %s; make the file readable "
		 "and its directories searchable by that user, or copy it where it can read it",
		 (int)pid, (unsigned)c->fsuid, (unsigned)c->fsgid, path, moved ? " (at '" : "", moved ? tpath : "",
		 moved ? "' in its root)" : "", strerror(-r));
	return r;
}

int target_path_find(pid_t pid, const char *path, char *ret_path, size_t cap, char *why, size_t why_cap)
{
	struct root_view rv = { .fd = -1 };
	struct locate l = { .rv = &rv };
	struct proc_creds c;
	int r = root_view_open(pid, &rv);
	if (r == 0)
		r = stat(path, &l.want) < 0 ? -errno : 0;
	if (r < 0) {
		snprintf(why, why_cap, "cannot see '%s' as process %d does: %s", path, (int)pid, strerror(-r));
		goto out;
	}
	if (rv.blind) {
		/* The runtime still checks the digest of what it opens. */
		snprintf(ret_path, cap, "%s", path);
		goto out;
	}
	locate(&l, path);
	if (!l.found)
		r = not_found(&rv, &l, path, why, why_cap);
	else if (!root_has_proc(&rv))
		r = no_proc(&rv, why, why_cap);
	else if ((r = proc_creds(pid, &c)) < 0)
		snprintf(why, why_cap, "cannot read the credentials of process %d: %s", (int)pid, strerror(-r));
	else if ((r = creds_check(&rv, &c, l.path)) < 0)
		cannot_read(&c, pid, path, l.path, r, why, why_cap);
	else if (snprintf(ret_path, cap, "%s", l.path) >= (int)cap)
		r = -ENAMETOOLONG;
out:
	if (rv.fd >= 0)
		close(rv.fd);
	return r;
}

/* Whether @path, in ulp's view, is the file @want. */
static bool same_file(const char *path, const struct stat *want)
{
	struct stat st;
	return stat(path, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

int target_path_back(pid_t pid, const char *tpath, char *ret_path, size_t cap)
{
	struct root_view rv = { .fd = -1 };
	struct stat want;
	char cand[PATH_MAX];
	int r = root_view_open(pid, &rv);
	int fd = r < 0 || rv.blind ? -1 : root_open(&rv, tpath, O_PATH);
	if (r == 0)
		r = fd < 0 ? fd : fstat(fd, &want) < 0 ? -errno : 0;
	if (r == 0 && same_file(tpath, &want))
		snprintf(cand, sizeof(cand), "%s", tpath);
	else if (r == 0 && !(path_join(cand, sizeof(cand), rv.at, tpath) && same_file(cand, &want)))
		r = -ENOENT;
	if (r == 0 && snprintf(ret_path, cap, "%s", cand) >= (int)cap)
		r = -ENAMETOOLONG;
	if (fd >= 0)
		close(fd);
	if (rv.fd >= 0)
		close(rv.fd);
	return r;
}
