/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * attach.h - holding every thread of a process under ptrace.
 *
 * process_attach() seizes every thread (PTRACE_SEIZE: nothing stops);
 * holding them is also what keeps a second controller out.  Threads then
 * run until process_stop(), which interrupts all of them, re-scanning
 * /proc/PID/task until no new thread appears; process_resume() lets them
 * go; process_detach() releases them (stopping them first, as ptrace
 * requires), delivering any signal that arrived meanwhile.
 */
#ifndef ULP_ATTACH_H
#define ULP_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ulp/remote.h"

struct thread {
	pid_t tid;
	bool stopped;
	bool gone;	   /* exited while we held it */
	bool interrupted;  /* PTRACE_INTERRUPT sent, stop not seen yet */
	bool trap_pending; /* interrupted while already in a signal stop */
	int sig;	   /* signal to deliver when it resumes */
	bool no_eintr;	   /* seen stopped not in a call to make again (thread_eintr_undo) */
};

struct process {
	pid_t pid;
	struct remote mem;
	struct thread *threads;
	size_t nthreads;
	size_t alloc;
};

/* clang-format off */
#define PROCESS_INIT {.mem = REMOTE_INIT}
/* clang-format on */

/* @mem: the process's memory, already open (a handle of its own is kept). */
int process_attach(const struct remote *mem, struct process *ret_p);
int process_stop(struct process *p, int timeout_ms);
int process_resume(struct process *p);
/* process_detach() - always releases everything; safe on PROCESS_INIT. */
void process_detach(struct process *p);

struct thread *process_thread(struct process *p, pid_t tid);
size_t process_live_threads(const struct process *p);

/**
 * thread_stop() / thread_resume() - stop or resume one seized thread.
 * thread_wait_event() waits (bounded) for the next stop or exit of @t and
 * returns its wait status in @ret_status.
 */
int thread_stop(struct process *p, struct thread *t, int timeout_ms);
int thread_wait_event(struct process *p, struct thread *t, int timeout_ms, int *ret_status);
int thread_resume(struct process *p, struct thread *t);

/**
 * thread_running() - @t was let go: what was seen of it while stopped no
 * longer holds.  Every resume of a seized thread goes through it.
 */
void thread_running(struct thread *t);

/**
 * thread_peek_ip() - the instruction pointer of the stopped @t, read with
 * all its registers in one call: whether the stop ended a call to make
 * again is noted at the same time, so that thread_eintr_undo() need not
 * read them again when the thread is let go (it would lengthen a pause).
 */
int thread_peek_ip(struct thread *t, uint64_t *ret_ip);

/**
 * thread_syscall_cont() - resume the stopped @t with PTRACE_SYSCALL: it
 * stops at the entry and exit of each system call it makes.
 * thread_syscall_until() then waits, at most @timeout_ms, for a system
 * call stop whose registers @match accepts (left in *@ret_at), going on
 * past the others; the stops of other threads meanwhile are passed on
 * (process_service()).
 * Return: 1 there (stopped), 0 on timeout (still running), 2 if it
 * stopped with a signal (in t->sig), -ULP_E_EXITED, or -errno.
 */
struct arch_regs;
typedef bool (*syscall_match)(const struct arch_regs *at, void *data);
int thread_syscall_cont(struct thread *t);
int thread_syscall_until(struct process *p, struct thread *t, syscall_match match, void *data, int timeout_ms,
			 struct arch_regs *ret_at);

/**
 * thread_eintr_undo() - the stop of @t (stopped, no signal to deliver)
 * may have ended a blocking call with EINTR, which the program would see
 * though no signal came (epoll_wait, sigwaitinfo...: signal(7)): set the
 * call to be made again, unless a signal is pending.  @regs: @t's
 * registers, changed in place; NULL to read and write the thread's own.
 * thread_resume() and process_detach() do this for every thread.
 * Return: 1 if changed, 0 if not, or -errno.
 */
int thread_eintr_undo(struct process *p, struct thread *t, struct arch_regs *regs);

/**
 * process_service() - wait, at most @timeout_ms, for the next event of
 * @want (a tid), handling meanwhile the stops of threads we are not
 * waiting for (a signal arriving at a seized thread stops it until we pass
 * the signal on).  Blocks in waitpid(): wakes the moment @want reports.
 * Return: 1 with @want's wait status in @ret_status, 0 on timeout.
 */
int process_service(struct process *p, pid_t want, int timeout_ms, int *ret_status);

uint64_t clock_us(void);

/**
 * controller_boost() / controller_unboost() - run the controller with a
 * real-time priority while the target is stopped, so that the first
 * threads it lets go cannot preempt it before it has let go the rest.
 * Best effort: without the privilege nothing changes.
 */
void controller_boost(void);
void controller_unboost(void);

#endif
