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

/*
 * The libraries of stack-prog (the stack check tests).  Each function that
 * can block takes the read end of a pipe and blocks in read(2) inside its
 * own body until the test releases it with one byte b.
 */

/* libpark.so: park(fd) = b + 1, patched: b + 100 */
int park(int fd);

/* libcontract.so: contract_make() fills a pair, blocking halfway;
 * contract_use() reads it; contract_work(x, fd) = use(make(x)).
 * Old: work(x) = x + 1; patched (all three): x + 1000; an old pair read by
 * the new use(), or a new pair by the old use(): CONTRACT_MIXED. */
struct pair {
	int v;
	int tag;
};
#define CONTRACT_TAG_OLD 0x01d
#define CONTRACT_TAG_NEW 0x2e3
#define CONTRACT_MIXED	 (-1)
void contract_make(struct pair *p, int x, int fd);
int contract_use(const struct pair *p);
int contract_work(int x, int fd);

/* libgate.so: gate(fd) = GATE_OLD without reading fd; patched: reads one
 * byte and returns b + 200 (the new version blocks, the old never does) */
#define GATE_OLD 7
int gate(int fd);

/* libspin.so: spin_until(c) sets c->inside and spins until c->leave is
 * set; returns SPIN_OLD, patched: SPIN_NEW */
struct spin_ctl {
	int inside;
	int leave;
};
#define SPIN_OLD 11
#define SPIN_NEW 22
int spin_until(struct spin_ctl *c);

/* libbusy.so: busy_for(n) loops n times in its own body; returns
 * BUSY_OLD, patched: BUSY_NEW */
#define BUSY_OLD 31
#define BUSY_NEW 62
int busy_for(unsigned iterations);

/* libdeep.so: deep_outer(n, fd) = deep_rec(n, fd), patched: + 100000;
 * deep_rec(n, fd) = n + b, n + 1 frames deep, blocking at the bottom;
 * patched: n + b + 5000; deep_value(n) = n + 1, patched: n + 50 */
int deep_outer(int n, int fd);
int deep_rec(int n, int fd);
int deep_value(int n);

/* libnounwind.so, built without unwind tables and not patched:
 * nounwind_block(fd) = b + 1 */
int nounwind_block(int fd);

/* libvia.so: via_nounwind(fd) = nounwind_block(fd) + 10, patched: + 20 */
int via_nounwind(int fd);

/*
 * libreach.so (reach.dsc and friends reach its statics):
 *   reach_bump(n): static counter (from 10) += n, returns it; patched: += 10n
 *   reach_calc(n) = static reach_scale(n) + 1 = 2n + 1; patched: 2n + 1000
 *   reach_tls_get() = the calling thread's static TLS value; patched: * 100
 *   reach_check(n) = |n|; patched wrapper: original + 5000
 *   reach_limited(n) = 2 * min(n, 100) (reach_limit inlined), and
 *   reach_limit_ptr(n) = min(n, 100); the fix limits to 50
 *   reach_events_get(): the digits the hooks of hooks.dsc appended
 *   reach_hooked(n) = n; patched (hooks.dsc): n + 7
 */
int reach_bump(int n);
int reach_calc(int n);
void reach_tls_set(int v);
int reach_tls_get(void);
int reach_check(int n);
extern int (*reach_limit_ptr)(int);
int reach_limited(int n);
int reach_events_get(void);
void reach_events_reset(void);
int reach_hooked(int n);
void reach_hold_set(int v); /* reach_hooked(-1) spins while it is 1 */

/* reach-prog's own: prog_bump(n): static counter (from 5) += n; patched: += 100n */
int prog_bump(int n);

#endif
