/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hijack.c - running a function on a borrowed thread.
 *
 * The stack of a borrowed thread while the call runs:
 *
 *   higher addresses
 *   | the thread's own frames                              |
 *   | 128-byte red zone (the interrupted code may use it)   |  <- saved sp - 128
 *   | signal frame: its registers, FP state and mask        |
 *   | blobs (arguments passed by address), 16-aligned       |
 *   | frames of the stub and the runtime function           |  <- sp of the call
 *   lower addresses
 *
 * The thread can give itself back: the entry stub ends with rt_sigreturn
 * on that frame, so a controller killed at any moment leaves a thread
 * that finishes the call and resumes as it was.  A live controller runs
 * the thread with PTRACE_SYSCALL, reads the result at the rt_sigreturn's
 * entry and puts the registers back itself there (see call_restore()).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "libpulp/ulp-errors.h"
#include "ulp/fault.h"
#include "ulp/hijack.h"
#include "ulp/log.h"

#define BLOB_ALIGN 16

/* Copy the blobs below @top (one write); fill in their addresses. */
static int args_place(struct process *p, uint64_t top, const struct call_arg *args, unsigned nargs, uint64_t *values,
		      uint64_t *ret_sp)
{
	uint64_t sp = top;
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

/* The signal frame the stub returns through, just below the red zone. */
static int frame_place(struct process *p, const struct arch_regs *saved, uint64_t sigmask, uint64_t *ret_frame,
		       uint64_t *ret_low)
{
	uint64_t top = arch_call_scratch_sp(saved);
	uint8_t *image;
	size_t len;
	int r = arch_call_frame(saved, sigmask, top, &image, &len, ret_frame);
	if (r < 0)
		return r;
	r = remote_write(&p->mem, top - len, image, len);
	free(image);
	*ret_low = top - len;
	return r;
}

struct call_end {
	uint64_t stub;
	int64_t value;
};

static bool at_call_end(const struct arch_regs *at, void *data)
{
	struct call_end *e = data;
	return arch_call_done(e->stub, at, &e->value);
}

/*
 * Run the call to its end: the rt_sigreturn at the end of the stub.
 * Other threads keep running and may stop for signals meanwhile.  Return
 * 0 with the thread stopped at that system call's entry.
 */
static int call_wait(struct process *p, struct thread *t, uint64_t stub, int timeout_ms, int64_t *ret_value)
{
	struct call_end e = { .stub = stub };
	struct arch_regs at = ARCH_REGS_INIT;
	int r = thread_syscall_until(p, t, at_call_end, &e, timeout_ms, &at);
	if (r == 1) {
		*ret_value = e.value;
		return 0;
	}
	if (r == 2) {
		uint64_t ip = 0;
		arch_thread_ip(t->tid, &ip);
		log_debug("thread %d stopped with signal %d at 0x%llx inside the runtime call", t->tid, t->sig,
			  (unsigned long long)ip);
		return -ULP_E_CALL_CRASHED;
	}
	return r == 0 ? -ULP_E_TIMEOUT : r;
}

/*
 * A thread in a signal-delivery stop gets its signal first: it is the
 * kernel's to deliver, with its own siginfo, and a thread given back by
 * rt_sigreturn could not carry it.  The handler is set up and the thread
 * stops again at its first instruction (our interrupt is still pending),
 * or is stopped anew.
 */
static int thread_deliver(struct process *p, struct thread *t)
{
	for (unsigned tries = 0; t->sig && tries < 8; tries++) {
		bool pending = t->trap_pending;
		if (ptrace(PTRACE_CONT, t->tid, NULL, (void *)(long)t->sig) < 0)
			return -errno;
		thread_running(t);
		t->sig = 0;
		t->trap_pending = false;
		t->interrupted = pending;
		int r = thread_stop(p, t, 1000);
		if (r < 0)
			return r;
		if (t->gone)
			return -ULP_E_EXITED;
	}
	return t->sig ? -EAGAIN : 0;
}

/*
 * Put the thread's registers and mask back by hand, stopped where it is:
 * at the stub's rt_sigreturn (which is then not made: ptrace resumes a
 * sleep for the time it had left, rt_sigreturn would end it with EINTR),
 * or anywhere in a call that did not end.
 */
static int call_restore(struct process *p, struct thread *t, struct arch_regs *saved, uint64_t mask)
{
	if (!t->stopped && thread_stop(p, t, 1000) < 0)
		return -ESRCH;
	if (t->gone)
		return -ULP_E_EXITED;
	t->sig = 0; /* a fault inside the call is ours, not the program's */
	t->trap_pending = false;
	arch_regs_resume_form(saved);
	if (arch_regs_restore(t->tid, saved) < 0 || ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof(mask), &mask) < 0)
		return -errno;
	return 0;
}

/* The ptrace options of @t: those process_attach() set, and maybe the
 * suspension of its seccomp filters. */
static int call_options(struct thread *t, bool no_seccomp)
{
	long o = PTRACE_O_TRACESYSGOOD | (no_seccomp ? PTRACE_O_SUSPEND_SECCOMP : 0);
	return ptrace(PTRACE_SETOPTIONS, t->tid, NULL, (void *)o) < 0 ? -errno : 0;
}

int thread_call(struct process *p, struct thread *t, uint64_t stub, uint64_t fn, const struct call_arg *args,
		unsigned nargs, unsigned flags, int timeout_ms, int64_t *ret_value)
{
	struct arch_regs saved = ARCH_REGS_INIT, call = ARCH_REGS_INIT;
	uint64_t values[ARCH_CALL_MAX_ARGS], sp, low, frame, mask_saved, mask_all = ~0ull;
	int r;

	if (nargs > ARCH_CALL_MAX_ARGS)
		return -E2BIG;
	if ((r = thread_deliver(p, t)) < 0)
		return r;
	if ((flags & CALL_NO_SECCOMP) && (r = call_options(t, true)) < 0)
		return r;
	r = arch_regs_save(t->tid, &saved);
	if (r < 0)
		return r;
	thread_eintr_undo(p, t, &saved);
	if (ptrace(PTRACE_GETSIGMASK, t->tid, (void *)sizeof(mask_saved), &mask_saved) < 0) {
		r = -errno;
		goto out;
	}
	r = frame_place(p, &saved, mask_saved, &frame, &low);
	if (r == 0)
		r = args_place(p, low, args, nargs, values, &sp);
	if (r == 0)
		r = arch_call_setup(&saved, &call, stub, fn, values, nargs, sp, frame);
	if (r < 0)
		goto out;
	/* Asynchronous signals wait until the thread is its own again (the
	 * frame's mask); the registers go in last, so nothing needs undoing
	 * if a step before fails. */
	if (ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof(mask_all), &mask_all) < 0 ||
	    (r = arch_regs_restore(t->tid, &call)) < 0 || (r = thread_syscall_cont(t)) < 0) {
		r = r < 0 ? r : -errno;
		call_restore(p, t, &saved, mask_saved);
		goto out;
	}
	fault_point("call");
	r = call_wait(p, t, stub, timeout_ms, ret_value);
	/* A call that takes too long is left to end on its own: the thread
	 * gives itself back then.  Taking it back now would leave whatever
	 * the call holds (the loader's lock, the runtime half-way) held. */
	if (r == -ULP_E_TIMEOUT)
		t->sig = 0;
	else if (r != -ULP_E_EXITED) {
		int q = call_restore(p, t, &saved, mask_saved);
		r = r < 0 ? r : q;
	}
out:
	if ((flags & CALL_NO_SECCOMP) && !t->gone)
		call_options(t, false);
	arch_regs_release(&saved);
	arch_regs_release(&call);
	return r;
}
