/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run-out.c - a busy function rarely has every thread outside it at the
 * moment of a stop.  A thread found inside is let run alone up to the
 * return from its outermost frame inside the replaced functions; the
 * others stay stopped where the check saw them.
 *
 * How it is stopped there: the return address in its stack is swapped
 * for the runtime's return stub (entry.S), and the real one noted in the
 * runtime's return table.  The stub puts it back and makes a getpid()
 * on the way, where a controller that runs the thread with PTRACE_SYSCALL
 * sees it.  Nothing in the code changes, so no other thread can meet a
 * trap; and a controller killed meanwhile leaves a thread that returns
 * through the stub as if nothing had happened.
 *
 * Bounded: a thread that does not come out quickly may be waiting for a
 * lock a stopped thread holds; it is stopped again, its return address
 * put back, and the attempt given up.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "libpulp/ulp-abi.h"
#include "libpulp/ulp-errors.h"
#include "ulp/fault.h"
#include "ulp/log.h"
#include "ulp/run-out.h"

#define LANDING_MS 100 /* a thread inside the stub reaches its marker in microseconds */

/* At the stub's marker: move the thread to where it returned to, with
 * its return value, as if the stub had run to its end. */
static int land(struct process *p, struct thread *t, struct arch_regs *at)
{
	uint64_t saved[2];
	int r = remote_read(&p->mem, arch_return_saved_at(at), saved, sizeof(saved));
	if (r < 0)
		return r;
	arch_return_land(at, saved);
	return arch_regs_restore(t->tid, at);
}

static bool at_marker(const struct arch_regs *at, void *data)
{
	return arch_return_marker(*(const uint64_t *)data, at);
}

/*
 * Run @t until the return stub's marker, at most @timeout_ms.  Return 1
 * there (landed, stopped), 0 if it stopped for a signal (kept for later
 * in t->sig) or the time ran out (still running), or a negative code.
 */
static int run_to_marker(struct process *p, struct thread *t, const struct run_out *ro, int timeout_ms)
{
	struct arch_regs at = ARCH_REGS_INIT;
	uint64_t stub = ro->return_stub;
	int r = thread_syscall_until(p, t, at_marker, &stub, timeout_ms, &at);
	if (r == 1)
		return (r = land(p, t, &at)) < 0 ? r : 1;
	return r == 2 ? 0 : r;
}

/*
 * The table entry for @slot: the one already keyed by it (left by a
 * thread that never came back), else a free one, else one whose stack
 * word no longer holds the stub (its thread went another way; every
 * thread is stopped, so none is between the two).  -ENOSPC if none.
 */
static int entry_pick(struct process *p, const struct run_out *ro, struct ulp_return *tab, unsigned *ret_i)
{
	int r = remote_read(&p->mem, ro->return_table, tab, ULP_RETURN_SLOTS * sizeof(*tab));
	if (r < 0)
		return r;
	int free_i = -1;
	for (unsigned i = 0; i < ULP_RETURN_SLOTS; i++) {
		if (tab[i].slot == ro->return_slot) {
			*ret_i = i;
			return 0;
		}
		if (tab[i].slot == 0 && free_i < 0)
			free_i = (int)i;
	}
	for (unsigned i = 0; free_i < 0 && i < ULP_RETURN_SLOTS; i++) {
		uint64_t word = 0;
		if (remote_read(&p->mem, tab[i].slot, &word, sizeof(word)) < 0 || word != ro->return_stub)
			free_i = (int)i;
	}
	if (free_i < 0)
		return -ENOSPC;
	*ret_i = (unsigned)free_i;
	return 0;
}

/* Not out: the thread is stopped; unless it is inside the stub already
 * (then it finishes there), its own return address goes back. */
static int give_up(struct process *p, struct thread *t, const struct run_out *ro, uint64_t entry)
{
	uint64_t ip = 0, word = 0, zero = 0;
	int r = arch_thread_ip(t->tid, &ip);
	if (r < 0)
		return r;
	if (ip >= ro->return_stub && ip < ro->return_stub + ARCH_RETURN_STUB_LEN) {
		/* With a signal to deliver it stays: the stack check calls a
		 * thread in the stub not consistent, and it finishes on its own. */
		if (t->sig || (r = thread_syscall_cont(t)) < 0)
			return r;
		r = run_to_marker(p, t, ro, LANDING_MS);
		if (r == 0 && !t->stopped)
			r = thread_stop(p, t, 1000);
		return r;
	}
	if ((r = remote_read(&p->mem, ro->return_slot, &word, sizeof(word))) < 0)
		return r;
	if (word == ro->return_stub && (r = remote_write(&p->mem, ro->return_slot, &ro->return_to, 8)) < 0)
		return r;
	return remote_write(&p->mem, entry, &zero, sizeof(zero));
}

int thread_run_out(struct process *p, struct thread *t, const struct run_out *ro, int timeout_ms)
{
	struct ulp_return tab[ULP_RETURN_SLOTS];
	uint64_t word = 0;
	unsigned i;
	if (!t->stopped || t->sig || !ro->return_slot || !ro->return_stub)
		return 0; /* a signal waits to be delivered first: not now */
	/* Blocked in a system call: it will not come out in milliseconds, and
	 * every other thread would wait for nothing. */
	if (arch_thread_in_syscall(t->tid))
		return 0;
	/* The unwinder's slot must hold what it said; else leave it alone. */
	int r = remote_read(&p->mem, ro->return_slot, &word, sizeof(word));
	if (r < 0 || word != ro->return_to)
		return 0;
	if (entry_pick(p, ro, tab, &i) < 0)
		return 0;
	log_debug("pid %d: thread %d is inside %s; letting it run out alone", p->pid, t->tid, ro->what);
	uint64_t entry = ro->return_table + i * sizeof(struct ulp_return);
	struct ulp_return e = { .slot = ro->return_slot, .ret = ro->return_to };
	if ((r = remote_write(&p->mem, entry, &e, sizeof(e))) < 0 ||
	    (r = remote_write(&p->mem, ro->return_slot, &ro->return_stub, 8)) < 0)
		return r;
	if ((r = thread_syscall_cont(t)) < 0)
		return r;
	fault_point("runout");
	r = run_to_marker(p, t, ro, timeout_ms);
	if (r != 0)
		return r;
	if (!t->stopped && (r = thread_stop(p, t, 1000)) < 0)
		return r;
	if (t->gone)
		return -ULP_E_EXITED;
	return give_up(p, t, ro, entry);
}
