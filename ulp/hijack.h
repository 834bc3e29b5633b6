/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hijack.h - borrowing a thread to run a runtime function in the target.
 */
#ifndef ULP_HIJACK_H
#define ULP_HIJACK_H

#include <stddef.h>
#include <stdint.h>

#include "ulp/attach.h"

/* Data copied onto the borrowed thread's stack; its address becomes an
 * argument of the call. */
struct call_blob {
	const void *data;
	size_t len;
};

/* An argument: an integer, or (blob != NULL) the address of a blob. */
struct call_arg {
	uint64_t value;
	const struct call_blob *blob;
};

/**
 * thread_call() - make the stopped thread @t call @fn through the entry
 * stub @stub, and give it back exactly as it was: every register (general
 * and FP/vector), its signal mask, an interrupted system call that
 * restarts when it resumes.  A signal @t was stopped with is delivered
 * first; signals that arrive meanwhile stay pending (the mask blocks
 * them) and are delivered once it runs again.  The thread restores itself
 * (see hijack.c): if the controller dies at any point, it still does.
 *
 * With CALL_NO_SECCOMP the kernel does not apply @t's seccomp filters
 * to the call's system calls (PTRACE_O_SUSPEND_SECCOMP, which needs
 * CAP_SYS_ADMIN; -EPERM otherwise); they apply again once it returns.
 *
 * @t stays stopped, except after -ULP_E_TIMEOUT: then the call goes on
 * and the thread gives itself back when it ends (whatever the call holds
 * is released that way, not abandoned).  Return: 0 with the function's
 * result in @ret_value; -ULP_E_TIMEOUT, -ULP_E_CALL_CRASHED (a fault in
 * the call: the thread is put back by hand), -ULP_E_EXITED or -errno.
 */
#define CALL_NO_SECCOMP 1u /* suspend @t's seccomp filters during the call (CAP_SYS_ADMIN) */
int thread_call(struct process *p, struct thread *t, uint64_t stub, uint64_t fn, const struct call_arg *args,
		unsigned nargs, unsigned flags, int timeout_ms, int64_t *ret_value);

#endif
