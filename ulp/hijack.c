/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hijack.c - running a function on a borrowed thread.
 *
 * The stack of a borrowed thread while the call runs:
 *
 *   higher addresses
 *   | the thread's own frames                              |
 *   | 128-byte red zone (the interrupted code may use it)   |  <- saved sp - 128
 *   | blobs (arguments passed by address), 16-aligned       |
 *   | frames of the stub and the runtime function           |  <- sp of the call
 *   lower addresses
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "libpulp/ulp-errors.h"
#include "ulp/hijack.h"
#include "ulp/log.h"

#define BLOB_ALIGN 16

/* Copy the blobs below the red zone (one write); fill in their addresses. */
static int args_place(struct process *p, const struct arch_regs *saved, const struct call_arg *args, unsigned nargs,
		      uint64_t *values, uint64_t *ret_sp)
{
	uint64_t top = arch_call_scratch_sp(saved), sp = top;
	for (unsigned i = 0; i < nargs; i++) {
		values[i] = args[i].value;
		if (!args[i].blob)
			continue;
		sp = (sp - args[i].blob->len) & ~(uint64_t)(BLOB_ALIGN - 1);
		values[i] = sp;
	}
	*ret_sp = sp;
	if (sp == top)
		return 0;
	uint8_t *buf = calloc(1, top - sp);
	if (!buf)
		return -ENOMEM;
	for (unsigned i = 0; i < nargs; i++)
		if (args[i].blob)
			memcpy(buf + (values[i] - sp), args[i].blob->data, args[i].blob->len);
	int r = remote_write(&p->mem, sp, buf, top - sp);
	free(buf);
	return r;
}

/*
 * Wait for the stub's trap.  Other threads keep running and may stop for
 * signals meanwhile; process_service() passes those on.
 */
static int call_wait(struct process *p, struct thread *t, uint64_t trap_ip, int timeout_ms, struct arch_regs *ret_after)
{
	uint64_t deadline = clock_us() + (uint64_t)timeout_ms * 1000u;
	for (;;) {
		int status;
		uint64_t now = clock_us();
		int left_ms = now < deadline ? (int)((deadline - now + 999) / 1000) : 0;
		if (left_ms > 0 && process_service(p, t->tid, left_ms, &status) == 1) {
			if (WIFEXITED(status) || WIFSIGNALED(status)) {
				t->gone = true;
				return -ULP_E_EXITED;
			}
			if (status >> 16 == PTRACE_EVENT_STOP) {
				/* A leftover interrupt: not the end of the call. */
				ptrace(PTRACE_CONT, t->tid, NULL, NULL);
				continue;
			}
			int r = arch_regs_save(t->tid, ret_after);
			if (r < 0)
				return r;
			if (WSTOPSIG(status) == SIGTRAP && arch_regs_ip(ret_after) == trap_ip)
				return 0;
			log_debug("thread %d stopped with signal %d at 0x%llx inside the runtime call", t->tid,
				  WSTOPSIG(status), (unsigned long long)arch_regs_ip(ret_after));
			return -ULP_E_CALL_CRASHED;
		}
		if (clock_us() >= deadline)
			return -ULP_E_TIMEOUT;
	}
}

/* Take the thread back from a call that did not end with the trap. */
static void call_abandon(struct process *p, struct thread *t)
{
	if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) == 0) {
		int status;
		process_service(p, t->tid, 1000, &status);
	}
}

int thread_call(struct process *p, struct thread *t, uint64_t stub, uint64_t fn, const struct call_arg *args,
		unsigned nargs, int timeout_ms, int64_t *ret_value)
{
	struct arch_regs saved = ARCH_REGS_INIT, call = ARCH_REGS_INIT, after = ARCH_REGS_INIT;
	uint64_t values[ARCH_CALL_MAX_ARGS], sp, mask_saved, mask_all = ~0ull;
	/* A thread stopped for a signal: the signal is held back during the
	 * call and delivered, with its original siginfo, when it resumes. */
	int held_sig = t->sig;
	siginfo_t held_info;
	int r;

	if (nargs > ARCH_CALL_MAX_ARGS)
		return -E2BIG;
	if (held_sig && ptrace(PTRACE_GETSIGINFO, t->tid, NULL, &held_info) < 0)
		return -errno;
	r = arch_regs_save(t->tid, &saved);
	if (r < 0)
		return r;
	if (ptrace(PTRACE_GETSIGMASK, t->tid, (void *)sizeof(mask_saved), &mask_saved) < 0) {
		r = -errno;
		goto out;
	}
	r = args_place(p, &saved, args, nargs, values, &sp);
	if (r == 0)
		r = arch_call_setup(&saved, &call, stub, fn, values, nargs, sp);
	if (r == 0)
		r = arch_regs_restore(t->tid, &call);
	if (r < 0)
		goto out;
	/* Asynchronous signals wait until the thread is its own again. */
	if (ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof(mask_all), &mask_all) < 0 ||
	    ptrace(PTRACE_CONT, t->tid, NULL, NULL) < 0) {
		r = -errno;
		goto restore;
	}
	t->stopped = false;
	t->sig = 0;
	t->trap_pending = false; /* call_wait() lets a pending interrupt stop pass */
	r = call_wait(p, t, arch_call_trap_ip(stub), timeout_ms, &after);
	if (r == -ULP_E_TIMEOUT)
		call_abandon(p, t);
	if (r == -ULP_E_EXITED)
		goto out;
	t->stopped = true;
	if (r == 0)
		*ret_value = (int64_t)arch_call_result(&after);
restore:
	/* The thread sits in a signal stop (the trap): restoring its registers
	 * there lets the kernel restart an interrupted system call normally
	 * when it resumes; the trap's SIGTRAP is discarded (sig 0). */
	if (arch_regs_restore(t->tid, &saved) < 0 ||
	    ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof(mask_saved), &mask_saved) < 0 ||
	    (held_sig && ptrace(PTRACE_SETSIGINFO, t->tid, NULL, &held_info) < 0))
		r = r < 0 ? r : -errno;
	t->sig = held_sig;
out:
	arch_regs_release(&saved);
	arch_regs_release(&call);
	arch_regs_release(&after);
	return r;
}
