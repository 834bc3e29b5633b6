/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libs.h - the functions of the test libraries (lib-*.c) and the values
 * their old and new (patch-*.c) versions return.  Tests check these
 * numbers in the targets' answers, so each pair must differ.
 */
#ifndef TARGETS_LIBS_H
#define TARGETS_LIBS_H

/* libplain.so: plain_value(n) = n + 1, patched: n + 1000 */
int plain_value(int n);

/* libbsym.so (-Bsymbolic): bsym_outer(n) = 10 * bsym_inner(n), an internal
 * call; bsym_inner(n) = n + 1, patched: n + 2 */
int bsym_outer(int n);
int bsym_inner(int n);

/* libcet.so (-fcf-protection): cet_value(n) = 2n, patched: 3n */
int cet_value(int n);

/* librec.so: rec_sum(n) = n + rec_sum(n - 1), patched: n*n + rec_sum(n - 1) */
int rec_sum(int n);

/* libbid.so (two builds, different build-ids): bid_value(n) = n + 1,
 * patched: n + 500 */
int bid_value(int n);

/* libunused.so, loaded by no target: unused_value(n) = n, patched: -n */
int unused_value(int n);

/* libnopatch.so, built without patchable entries */
int nopatch_value(int n);

/* libstress.so: stress_value() = STRESS_OLD, patched: STRESS_NEW */
#define STRESS_OLD 1
#define STRESS_NEW 2
int stress_value(void);

/* libsse.so: sse_value(n) = n + 1, patched: n + 100 */
int sse_value(int n);

/* libtiming.so: timing_value(n) = n + 1, patched: n + 2 */
int timing_value(int n);

/* libmany.so, loaded only by many-prog: many_value(n) = n + 3,
 * patched: n + 300 */
int many_value(int n);

#endif
