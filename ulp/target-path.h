/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * target-path.h - the patch file as a process will open it.
 *
 * ulp reads and checks the patch file at a path of its own; the runtime
 * inside the target then open()s a path as the target: in its root
 * directory (a chroot), its mount namespace, with its user and groups.
 */
#ifndef ULP_TARGET_PATH_H
#define ULP_TARGET_PATH_H

#include <stddef.h>
#include <sys/types.h>

/**
 * target_path_find() - the path at which process @pid opens the very file
 * (same device and inode) ulp read at @path, which is absolute: @path
 * itself, @path inside the process's chroot, or @path through a (bind)
 * mount of the process's mount namespace.  Also checks that the process
 * can open it with its own credentials and that its root has the /proc
 * its runtime needs.  Touches nothing in the process.
 *
 * Return: 0 with the path in @ret_path (@cap bytes); or -ENOENT (the
 * process sees no file or another file there), -EACCES (its user cannot
 * open it), -ENOTDIR (no /proc in its root) or another negative code, with
 * @why (@why_cap bytes) saying which and what to do.
 */
int target_path_find(pid_t pid, const char *path, char *ret_path, size_t cap, char *why, size_t why_cap);

/**
 * target_path_back() - the path at which ulp finds the file process @pid
 * sees at @tpath (what it recorded for a patch it loaded): @tpath itself,
 * or @tpath under the process's chroot, the same file (device and inode).
 * Return: 0 with the path in @ret_path (@cap bytes), or a negative code
 * (-ENOENT: not one of those).
 */
int target_path_back(pid_t pid, const char *tpath, char *ret_path, size_t cap);

#endif
