/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run-out.h - letting one thread leave the functions a switch replaces
 * while every other thread stays stopped (DESIGN.md section 5).
 */
#ifndef ULP_RUN_OUT_H
#define ULP_RUN_OUT_H

#include <stdint.h>

#include "ulp/attach.h"

/* Where the thread is to come out, and the runtime's means to see it. */
struct run_out {
	uint64_t return_to;    /* the return address of its outermost frame inside */
	uint64_t return_slot;  /* the stack word that holds it */
	uint64_t return_stub;  /* ulp_runtime.return_stub */
	uint64_t return_table; /* ulp_runtime.return_table */
	const char *what;      /* the function, for -v */
};

/**
 * thread_run_out() - run the stopped thread @t alone until it returns to
 * @ro->return_to, at most @timeout_ms.  Its return address is swapped for
 * the runtime's return stub, which stops it for us (and, were ulp killed
 * meanwhile, puts the real address back on its own): no code is changed,
 * so no other thread can be caught.  A thread blocked in a system call,
 * or with a signal to deliver, is not run.
 * Return: 1 if it came out (stopped at @ro->return_to as if it had just
 * returned), 0 if not (stopped again inside, return address restored), or
 * a negative code.
 */
int thread_run_out(struct process *p, struct thread *t, const struct run_out *ro, int timeout_ms);

#endif
