/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * interrupt.h - Ctrl-C, SIGTERM and their kind while processes are held.
 *
 * A controller that dies while it borrows a thread leaves that thread to
 * reach the stub's breakpoint with no tracer (the process dies of
 * SIGTRAP), and one that dies between two writes of a switch leaves a
 * half-applied patch.  So SIGINT, SIGTERM, SIGHUP and SIGQUIT only raise a
 * flag: the trigger checks it where stopping is safe (before a process is
 * touched, after the load and before the switch, between stack-check
 * attempts), gives the process back as it was and reports the rest as not
 * attempted.  SIGTSTP, SIGTTIN and SIGTTOU wait (blocked) while a process
 * is held, so Ctrl-Z cannot freeze a target with ulp.  SIGKILL cannot be
 * handled: docs/internals.md (known gaps) says what remains.
 */
#ifndef ULP_INTERRUPT_H
#define ULP_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* interrupt_install() - handle the signals above from now on. */
void interrupt_install(void);

/* interrupted() - the signal that asked ulp to stop, or 0. */
int interrupted(void);

/* interrupt_take() - interrupted(), and forget it: work that must not be
 * left half-done (an --all-or-nothing rollback) runs on until a new signal. */
int interrupt_take(void);

/* interrupt_forward_to() - also send such a signal to these processes
 * (fleet workers), which may not be in ulp's process group. */
void interrupt_forward_to(const pid_t *pids, size_t n);
/* interrupt_forward_remove() - before reaping @pid (its number may be reused). */
void interrupt_forward_remove(pid_t pid);

/* interrupt_hold() / interrupt_release() - around holding a process. */
void interrupt_hold(sigset_t *ret_old);
void interrupt_release(const sigset_t *old);

#endif
