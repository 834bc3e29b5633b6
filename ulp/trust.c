/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trust.c - refuse patch files that someone other than root or the user
 * running ulp could have changed.  A live patch is code that runs in every
 * process it is applied to, with that process's privileges: a file a
 * group member could write, or could swap through a directory they may
 * write, lets them choose that code.
 *
 * The check is on the path the processes are given (every symlink
 * resolved): each process opens the patch by that path after ulp has read
 * it, so what matters is that nobody else could change the file or any
 * directory on the way to it in between.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ulp/trust.h"

static enum trust_mode policy_mode = TRUST_REFUSE;
static trust_notice_fn *policy_notice;

/* "'nobody' (uid 65534)", or "uid 1234" for a uid with no name. */
static void user_text(uid_t uid, char *buf, size_t cap)
{
	const struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(buf, cap, "'%s' (uid %u)", pw->pw_name, (unsigned)uid);
	else
		snprintf(buf, cap, "uid %u", (unsigned)uid);
}

/* Who besides the owner may write: "its group 'staff'", "others", or both. */
static void writers_text(const struct stat *st, char *buf, size_t cap)
{
	const struct group *gr = getgrgid(st->st_gid);
	char group[300];
	if (gr)
		snprintf(group, sizeof(group), "its group '%s'", gr->gr_name);
	else
		snprintf(group, sizeof(group), "its group (gid %u)", (unsigned)st->st_gid);
	bool g = st->st_mode & S_IWGRP, o = st->st_mode & S_IWOTH;
	snprintf(buf, cap, "%s%s%s", g ? group : "", g && o ? " and by " : "", o ? "others" : "");
}

/* The owners we trust: root, and whoever runs ulp (it could change the
 * file itself anyway). */
static bool owner_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static const char *trusted_text(void)
{
	return geteuid() == 0 ? "root" : "root or to you";
}

/* The patch file itself: ours, and only ours to write. */
static int file_check(const struct stat *st, struct trust_finding *f)
{
	char who[320];
	if (!owner_trusted(st->st_uid)) {
		user_text(st->st_uid, who, sizeof(who));
		snprintf(f->why, sizeof(f->why), "it belongs to user %s, not to %s, so that user could change it", who,
			 trusted_text());
		if (geteuid() == 0)
			snprintf(f->fix, sizeof(f->fix), "run 'chown root:root %s'", f->file);
		else
			snprintf(f->fix, sizeof(f->fix), "use a copy of your own");
		return -EPERM;
	}
	/* With POSIX ACLs the group bits are the mask, which bounds every
	 * named user and group: write granted to any of them shows here. */
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		writers_text(st, who, sizeof(who));
		snprintf(f->why, sizeof(f->why), "it is writable by %s (mode %04o), so other users could change it",
			 who, (unsigned)(st->st_mode & 07777));
		snprintf(f->fix, sizeof(f->fix), "run 'chmod go-w %s'", f->file);
		return -EPERM;
	}
	return 0;
}

/*
 * Directory @dir on the way to the file: whoever may write it may rename
 * the file (or a directory below) away and put another in its place,
 * unless the directory is sticky: then only the entry's owner, the
 * directory's owner and root may (/tmp).  The entries below it are
 * checked to be ours separately.
 */
static int dir_check(const char *dir, const struct stat *st, bool parent, struct trust_finding *f)
{
	char what[PATH_MAX + 32], who[320];
	snprintf(what, sizeof(what), "%s '%s'%s", parent ? "its directory" : "directory", dir,
		 parent ? "" : " above it");
	if (!owner_trusted(st->st_uid)) {
		user_text(st->st_uid, who, sizeof(who));
		snprintf(f->why, sizeof(f->why),
			 "%s belongs to user %s, not to %s, so that user could replace the file", what, who,
			 trusted_text());
		snprintf(f->fix, sizeof(f->fix), "move the file to a directory only %s can write",
			 geteuid() == 0 ? "root" : "you or root");
		return -EPERM;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX)) {
		writers_text(st, who, sizeof(who));
		snprintf(f->why, sizeof(f->why),
			 "%s is writable by %s (mode %04o) and not sticky, so other users could replace the file", what,
			 who, (unsigned)(st->st_mode & 07777));
		snprintf(f->fix, sizeof(f->fix), "run 'chmod go-w %s' or move the file", dir);
		return -EPERM;
	}
	return 0;
}

int trust_check(const char *path, struct trust_finding *f)
{
	if (!realpath(path, f->file))
		return -errno;
	struct stat st;
	if (stat(f->file, &st) < 0)
		return -errno;
	int r = file_check(&st, f);
	/* Then each directory up to /: "/a/b/f" -> "/a/b" -> "/a" -> "/". */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", f->file);
	for (bool parent = true; r == 0 && strcmp(dir, "/") != 0; parent = false) {
		char *slash = strrchr(dir, '/');
		if (slash == dir)
			slash++; /* keep the root's "/" */
		*slash = '\0';
		if (stat(dir, &st) < 0)
			return -errno;
		r = dir_check(dir, &st, parent, f);
	}
	return r;
}

void trust_policy_set(enum trust_mode mode, trust_notice_fn *notice)
{
	policy_mode = mode;
	policy_notice = notice;
}

int trust_enforce(const char *path)
{
	if (policy_mode == TRUST_UNCHECKED)
		return 0;
	struct trust_finding *f = malloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	int r = trust_check(path, f);
	if (r == -EPERM && policy_notice)
		policy_notice(f, policy_mode == TRUST_FORCE);
	if (r == -EPERM && policy_mode == TRUST_FORCE)
		r = 0;
	free(f);
	return r;
}
