/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * locks-churn.h - the libraries of locks-prog and churn-prog (tests
 * locks.sh and thread-churn.sh) and the values their old and new
 * (patch-*.c) versions return.
 */
#ifndef TARGETS_LOCKS_CHURN_H
#define TARGETS_LOCKS_CHURN_H

#include <stddef.h>

/* liblocks.so: locks_value(size) allocates @size bytes, touches them and
 * frees them (so a thread inside it is often inside malloc or munmap);
 * returns LOCKS_OLD, patched: LOCKS_NEW */
#define LOCKS_OLD 41
#define LOCKS_NEW 82
int locks_value(size_t size);

/* liblocks.so, same patch: locks_wait(m, spin_us) spins @spin_us
 * microseconds in its own body (no system call), then takes and releases
 * @m; returns LOCKS_OLD, patched: LOCKS_NEW */
int locks_wait(void *mutex, unsigned spin_us);

/* liblocksdl.so, opened and closed with dlopen/dlclose by locks-prog's
 * threads; not patchable, never patched: locksdl_value(n) = n + 5 */
int locksdl_value(int n);

/* libchurn.so: churn_value() = CHURN_OLD, patched: CHURN_NEW */
#define CHURN_OLD 51
#define CHURN_NEW 102
int churn_value(void);

#endif
