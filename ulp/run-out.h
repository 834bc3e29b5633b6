/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run-out.h - letting one thread leave the functions a switch replaces
 * while every other thread stays stopped (DESIGN.md section 5).
 */
#ifndef ULP_RUN_OUT_H
#define ULP_RUN_OUT_H

#include <stdint.h>

#include "ulp/attach.h"

/**
 * thread_run_out() - run the stopped thread @t alone until it returns to
 * @return_to (a breakpoint there stops it), at most @timeout_ms; @what
 * names the function for -v.  A thread blocked in a system call is not run.
 * Return: 1 if it got there (stopped, at @return_to, no signal pending
 * from the breakpoint), 0 if it did not (stopped again, elsewhere), or a
 * negative code.  The breakpoint is gone in every case.
 */
int thread_run_out(struct process *p, struct thread *t, uint64_t return_to, const char *what, int timeout_ms);

#endif
