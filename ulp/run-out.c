/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run-out.c - a busy function rarely has every thread outside it at the
 * moment of a stop.  A thread found inside is let run alone up to the
 * return from its outermost frame inside the replaced functions, where a
 * breakpoint stops it; the others stay stopped where the check saw them.
 *
 * Bounded: a thread that does not come out quickly may be waiting for a
 * lock a stopped thread holds; it is stopped again and the attempt given
 * up.  The breakpoint exists only while every other thread is stopped,
 * so no other thread can hit it.
 */
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "libpulp/ulp-errors.h"
#include "ulp/log.h"
#include "ulp/run-out.h"

/* Stopped with the breakpoint's trap: put it back before the trap. */
static int hit_take(struct thread *t, uint64_t return_to)
{
	t->stopped = true;
	t->sig = 0; /* the breakpoint's SIGTRAP is not the program's */
	return arch_thread_set_ip(t->tid, return_to) < 0 ? -errno : 1;
}

static bool at_hit(struct thread *t, uint64_t return_to)
{
	uint64_t ip;
	return arch_thread_ip(t->tid, &ip) == 0 && ip == arch_breakpoint_hit_ip(return_to);
}

/* What a stop of @t while running alone means.  Return 1 if it is the
 * breakpoint, 0 if another stop (kept for later), negative if gone. */
static int stop_classify(struct thread *t, int status, uint64_t return_to)
{
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		t->gone = true;
		return -ULP_E_EXITED;
	}
	t->stopped = true;
	if (status >> 16 == PTRACE_EVENT_STOP)
		return 0;
	if (WSTOPSIG(status) == SIGTRAP && at_hit(t, return_to))
		return hit_take(t, return_to);
	t->sig = WSTOPSIG(status); /* the program's own signal: delivered later */
	return 0;
}

/* Timed out: stop it again.  If it trapped at the same moment, its
 * SIGTRAP is on the way: take that stop too so it is never delivered. */
static int run_abandon(struct process *p, struct thread *t, uint64_t return_to)
{
	int status, r = thread_stop(p, t, 1000);
	if (r < 0 || t->gone)
		return r < 0 ? r : -ULP_E_EXITED;
	if (t->trap_pending) /* it answered with a signal stop: maybe the trap */
		return t->sig == SIGTRAP && at_hit(t, return_to) ? hit_take(t, return_to) : 0;
	if (!at_hit(t, return_to))
		return 0;
	if (ptrace(PTRACE_CONT, t->tid, NULL, NULL) < 0 || thread_wait_event(p, t, 1000, &status) < 0)
		return -ESRCH;
	return stop_classify(t, status, return_to);
}

int thread_run_out(struct process *p, struct thread *t, uint64_t return_to, const char *what, int timeout_ms)
{
	uint8_t orig[ARCH_BREAKPOINT_MAX], bp[ARCH_BREAKPOINT_MAX];
	size_t len = arch_breakpoint(bp);
	int status, r;

	if (!t->stopped || t->sig)
		return 0; /* a signal waits to be delivered first: not now */
	/* Blocked in a system call: it will not come out in milliseconds, and
	 * every other thread would wait for nothing. */
	if (arch_thread_in_syscall(t->tid))
		return 0;
	log_debug("pid %d: thread %d is inside %s; letting it run out alone", p->pid, t->tid, what);
	r = remote_read(&p->mem, return_to, orig, len);
	if (r == 0)
		r = remote_write(&p->mem, return_to, bp, len);
	if (r < 0)
		return r;
	if (ptrace(PTRACE_CONT, t->tid, NULL, NULL) < 0) {
		r = -errno;
	} else {
		t->stopped = false;
		r = thread_wait_event(p, t, timeout_ms, &status);
		r = r == 0 ? stop_classify(t, status, return_to) : run_abandon(p, t, return_to);
	}
	if (remote_write(&p->mem, return_to, orig, len) < 0)
		return -EIO; /* cannot happen once the write above worked */
	return r;
}
