/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fault.h - fault injection for the tests: ULP_FAULT=POINT[:N] in the
 * environment makes ulp kill itself (SIGKILL, nothing cleaned up) the
 * N-th time (default: the first) it reaches the named point.  The points
 * are the moments where a controller that dies leaves the most in flight:
 *
 *   call    a borrowed thread was just sent into the runtime call
 *   runout  a thread was just let run out of a replaced function
 *   stop    every thread was just stopped for the switch
 *   write   one more write of the switch was just made
 *
 * Documented in docs/reliability.md; without the variable a point costs
 * one comparison.
 */
#ifndef ULP_FAULT_H
#define ULP_FAULT_H

void fault_point(const char *name);

#endif
