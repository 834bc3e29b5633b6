/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trust.h - may a patch file be loaded into processes?  Whoever can change
 * the file, or put another in its place, chooses the code the processes
 * run, so only root and the user running ulp may be able to.
 */
#ifndef ULP_TRUST_H
#define ULP_TRUST_H

#include <limits.h>
#include <stdbool.h>

/* Why a file is not safe, in words for the operator. */
struct trust_finding {
	char file[PATH_MAX];	  /* the patch file, every symlink resolved */
	char why[PATH_MAX + 512]; /* e.g. "it is writable by its group 'staff' (mode 0664)" */
	char fix[PATH_MAX + 64];  /* e.g. "run 'chmod go-w /p/fix.so'" */
};

/**
 * trust_check() - is the file at @path (symlinks are resolved first: what
 * is checked is what is opened) safe to load into processes?  It is when
 * it belongs to root or to the user running ulp and is writable by neither
 * group nor others, and when each directory from its own up to / belongs
 * to one of them and is writable by neither group nor others, or is
 * sticky.
 * Return: 0 if safe; -EPERM if not, with *@finding saying why; another
 * negative errno if it cannot be told.
 */
int trust_check(const char *path, struct trust_finding *finding);

enum trust_mode {
	TRUST_REFUSE,	 /* the default: an unsafe file is refused */
	TRUST_FORCE,	 /* --force: it is accepted, and the notice warns */
	TRUST_UNCHECKED, /* the command loads nothing of the file into a process */
};

/* Told of each unsafe file trust_enforce() meets: @accepted under --force. */
typedef void trust_notice_fn(const struct trust_finding *finding, bool accepted);

/**
 * trust_policy_set() - how trust_enforce() treats unsafe files from now
 * on, for the whole of ulp; set by a command once its options are parsed.
 * @notice may be NULL: refusals are then only a return code.
 */
void trust_policy_set(enum trust_mode mode, trust_notice_fn *notice);

/**
 * trust_enforce() - trust_check() @path and apply the policy.
 * Return: 0 if the file may be used; -EPERM if it is refused (the notice
 * has been told why); another negative errno if it cannot be checked.
 */
int trust_enforce(const char *path);

#endif
