/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc.h - reading /proc: memory maps, threads, names. */
#ifndef ULP_PROC_H
#define ULP_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct proc_map {
	uint64_t start, end, offset;
	uint64_t dev, inode; /* the file's identity (0 for anonymous mappings) */
	bool exec;
	char *path; /* "" for anonymous mappings */
};

struct proc_maps {
	struct proc_map *maps;
	size_t n;
	char *text; /* the file, which the paths point into */
};

/* clang-format off */
#define PROC_MAPS_INIT {.maps = NULL}
/* clang-format on */

/* The mappings of @pid (through a live thread if its main thread exited). */
int proc_maps_read(pid_t pid, struct proc_maps *ret_maps);
void proc_maps_release(struct proc_maps *m);

/* The offset-0 mapping of the object whose file name (basename) is @name,
 * starting the search after @from (NULL: from the start). */
const struct proc_map *proc_maps_find_object(const struct proc_maps *m, const char *name, const struct proc_map *from);

/* Path to open the file behind @map even if it was deleted or lives in
 * another mount namespace.  Tries map_files, then /proc/PID/root. */
int proc_map_open(pid_t pid, const struct proc_map *map);

/**
 * proc_signal_pending() - whether thread @tid of @pid has a signal pending
 * that it does not block (its own or the process's): 1, 0, or -errno.
 */
int proc_signal_pending(pid_t pid, pid_t tid);

/** proc_seccomp_mode() - "Seccomp:" of @pid's status (0 none, 1 strict, 2 filter), -1 if unknown. */
int proc_seccomp_mode(pid_t pid);

/** proc_tasks() - thread ids of @pid (sorted ascending). */
int proc_tasks(pid_t pid, pid_t **ret_tids, size_t *ret_n);

/**
 * proc_task_dead() - whether thread @tid of @pid has exited or is
 * exiting: gone from /proc, a zombie (an exited thread, or a main thread
 * that called pthread_exit() while others run on), or in do_exit().
 */
bool proc_task_dead(pid_t pid, pid_t tid);

/**
 * proc_live_task() - a thread of @pid that has not exited: @pid itself,
 * or, once the main thread has called pthread_exit() (a zombie, whose
 * maps and mem are empty while the other threads run on), another.
 * Return: 0, or -ESRCH if every thread has exited.
 */
int proc_live_task(pid_t pid, pid_t *ret_tid);

/** proc_comm() - the process name (/proc/PID/comm). */
int proc_comm(pid_t pid, char *buf, size_t len);

/** proc_tracer() - pid of the process tracing @pid, 0 if none. */
pid_t proc_tracer(pid_t pid);

#define PROC_GROUPS_MAX 256

/* Whom a process acts as: from /proc/PID/status. */
struct proc_creds {
	uid_t euid, fsuid; /* fsuid, fsgid and groups: whom the files see */
	gid_t fsgid;
	gid_t groups[PROC_GROUPS_MAX]; /* supplementary */
	size_t ngroups;
	bool groups_complete; /* false: it has more than PROC_GROUPS_MAX */
	uint64_t cap_eff;
	/* The owner of its /proc files: root, not euid, when the process is
	 * not dumpable (it changed its ids after start), and only root may
	 * then trace it. */
	uid_t proc_owner;
};

/** proc_creds() - the ids, groups and effective capabilities of @pid. */
int proc_creds(pid_t pid, struct proc_creds *ret_creds);

const char *path_basename(const char *path);

#endif
