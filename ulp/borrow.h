/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * borrow.h - choosing a thread that may run the runtime's load call.
 *
 * The call takes the dynamic loader's lock and the allocator's (dlopen,
 * malloc).  A thread stopped while holding one of those would deadlock on
 * itself, so a thread is only borrowed if no frame of its stack lies in
 * the dynamic loader or in the C library's allocator, fork or dl*
 * functions (DESIGN.md section 4).  The stacks are walked by the stack
 * checker (stack-check.h) with these ranges.
 */
#ifndef ULP_BORROW_H
#define ULP_BORROW_H

#include "ulp/attach.h"
#include "ulp/proc.h"
#include "ulp/stack-check.h"

/** borrow_ranges_set() - make @sc look for frames holding those locks. */
int borrow_ranges_set(struct stack_checker *sc, pid_t pid, const struct remote *mem, const struct proc_maps *maps);

/**
 * thread_borrow() - stop and return a thread safe to borrow; the others
 * keep running.  Return -ULP_E_NO_THREAD when none is safe right now
 * (the caller retries: locks are held briefly).
 */
int thread_borrow(struct process *p, struct stack_checker *sc, struct thread **ret_t);

#endif
