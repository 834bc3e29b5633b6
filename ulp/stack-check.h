/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stack-check.h - is the process in a consistent state for a switch?
 * (DESIGN.md section 5.)  With every thread stopped, each thread's stack
 * is unwound with libunwind; the state is consistent when no frame lies in
 * a range being replaced and every unwind reached the outermost frame
 * with unwind information all the way.  Anything doubtful is "not
 * consistent": waiting costs a retry, a false "safe" costs a crash.
 */
#ifndef ULP_STACK_CHECK_H
#define ULP_STACK_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ulp/attach.h"
#include "ulp/proc.h"

struct stack_range {
	uint64_t start, end; /* [start, end) */
	const char *name;    /* the function, for messages */
};

enum stack_verdict {
	STACK_CONSISTENT,
	STACK_INSIDE,	  /* a frame is inside a range */
	STACK_UNRELIABLE, /* an unwind failed or is doubtful */
};

struct stack_finding {
	enum stack_verdict verdict;
	pid_t tid;
	uint64_t ip;	  /* the frame's code address */
	unsigned frame;	  /* 0 = innermost */
	const char *func; /* STACK_INSIDE: the range's name */
	/* STACK_INSIDE: where the thread returns to once it leaves the
	 * outermost frame inside a range (0 if unknown): running it alone up
	 * to there takes it out of every range. */
	uint64_t return_to;
	uint64_t return_slot; /* the stack address holding @return_to (0 if unknown) */
	char why[160];	      /* STACK_UNRELIABLE: what was doubtful */
};

struct stack_checker;

/**
 * stack_checker_new() - a checker for the process whose memory is @mem,
 * with no ranges yet; @maps are the process's mappings, whose unwind
 * tables it reads from memory.
 */
int stack_checker_new(const struct remote *mem, const struct proc_maps *maps, struct stack_checker **ret);

void stack_checker_free(struct stack_checker *sc);

/** stack_checker_set_ranges() - check against other ranges from now on. */
int stack_checker_set_ranges(struct stack_checker *sc, const struct stack_range *ranges, size_t n);

/**
 * stack_checker_set_stubs() - the runtime's stubs, [@start, @end]: a
 * frame there (a thread an earlier, killed ulp had borrowed or let run
 * out) hides what is beneath it, so the thread is never consistent.
 */
void stack_checker_set_stubs(struct stack_checker *sc, uint64_t start, uint64_t end);

/** stack_check_thread() - check one stopped thread (the others may run). */
int stack_check_thread(struct stack_checker *sc, pid_t tid, struct stack_finding *ret);

/**
 * stack_check() - check every live thread of @p; all of them stopped.
 * Stops at the first thread that is not consistent.
 * Return: 0 with @ret filled, or a negative code if the check itself could
 * not run (then the state counts as not consistent).  @ret_us is the time
 * spent, @ret_threads the number of threads unwound.
 */
int stack_check(struct stack_checker *sc, struct process *p, struct stack_finding *ret, uint64_t *ret_us,
		unsigned *ret_threads);

/**
 * stack_describe() - "function (file:line)" for a code address of @pid,
 * from debug information when there is some (libdw, separate debug files
 * included), else "function+0xOFF in object", else the address.
 */
void stack_describe(pid_t pid, uint64_t ip, char *buf, size_t len);

#endif
