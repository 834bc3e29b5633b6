/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch.h - applying or reverting one live patch in one process: the
 * recipe attach -> find runtime -> load -> stop -> check -> activate ->
 * resume (DESIGN.md section 4).
 */
#ifndef ULP_PATCH_H
#define ULP_PATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "packer/container.h"
#include "ulp/trust.h"

struct patch_file {
	char *path; /* absolute: the target opens it */
	struct container c;
};

/* clang-format off */
#define PATCH_FILE_INIT {.path = NULL, .c = CONTAINER_INIT}
/* clang-format on */

/*
 * patch_file_open() - read and validate the live patch at @path, for
 * loading into processes.  A file someone other than root or the user
 * running ulp could change is refused with -EPERM, or accepted under
 * TRUST_FORCE, as the command set trust_policy_set() (ulp/trust.h).
 */
int patch_file_open(const char *path, struct patch_file *ret_pf);
void patch_file_release(struct patch_file *pf);

struct trigger_opts {
	bool revert;
	/* --revert-all: every applied patch on this object (a name, or a path
	 * to it) goes, in the same stop as the patch file (if any) comes. */
	const char *revert_all;
	bool no_stack_check; /* switch without checking the threads' stacks */
	/* the borrowed thread's seccomp filters do not apply to the runtime call */
	bool disable_seccomp;
	int timeout_ms;
	unsigned max_stops; /* -r N: give up after N inconsistent stops; 0: only the timeout */
};

enum trigger_outcome {
	OUTCOME_PATCHED,
	OUTCOME_SKIPPED,
	OUTCOME_FAILED,	      /* cleanly: the process is as it was */
	OUTCOME_INCONSISTENT, /* the process may be half-changed */
};

#define TRIGGER_PRIOR_MAX 32

struct trigger_report {
	enum trigger_outcome outcome;
	int code;      /* the error or skip reason */
	char msg[512]; /* what happened, for the operator */
	/* Phases, in microseconds; the last four are the final stop's. */
	uint64_t inspect_us; /* maps, runtime, target, registry: nothing stopped */
	uint64_t attach_us;  /* seizing every thread */
	uint64_t load_us;    /* borrowing a thread and the runtime's prepare call */
	uint64_t stop_us;    /* interrupting every thread until all are stopped */
	uint64_t check_us;   /* instruction pointers and the stack check */
	uint64_t write_us;   /* verifying and writing the prepared bytes */
	uint64_t resume_us;  /* detaching, which lets every thread run again */
	uint64_t pause_us;   /* stop + check + write + resume: what the process feels */
	uint64_t total_us;
	unsigned reverted; /* --revert-all: the patches it took out */
	bool rolled_back;  /* --all-or-nothing undid it */
	/* --revert-all: the ids of the patches applied on the object before,
	 * oldest first, so that --all-or-nothing can put them back. */
	uint8_t prior[TRIGGER_PRIOR_MAX][ULP_DIGEST_LEN];
	unsigned nprior;
	bool prior_complete;  /* prior holds every one of them */
	bool new_was_applied; /* the patch file's patch was applied before too */
	unsigned attempts;    /* stops until the switch could be made */
	unsigned threads;     /* threads in the last stack check */
	unsigned hooks;	      /* post hooks of the patch that ran after the switch */
};

/* patch_trigger() - @pf may be NULL with o->revert_all: only revert. */
void patch_trigger(pid_t pid, const struct patch_file *pf, const struct trigger_opts *o, struct trigger_report *rep);

/*
 * patch_undo_revert_all() - give back process @pid what a --revert-all
 * trigger with @pf (may be NULL) took, as @done reports it: the patches it
 * reverted are applied again, oldest first, then @pf's patch is reverted
 * if it was not applied before.  Functions the old patches replace never
 * run the original in between.  @rep: the outcome of the whole undo.
 */
void patch_undo_revert_all(pid_t pid, const struct patch_file *pf, const struct trigger_opts *o,
			   const struct trigger_report *done, struct trigger_report *rep);

/*
 * patch_repair() - if an earlier ulp was killed half-way through a switch
 * in process @pid, undo the writes it made (within @timeout_ms; the stack
 * check applies).  Every trigger does this first; commands that report
 * the registry call it so that what they say is what runs.
 * Return: 0 (nothing to undo, or undone), or a negative code with *@rep
 * saying why (the process stays as it was left).
 */
int patch_repair(pid_t pid, int timeout_ms, struct trigger_report *rep);

/*
 * patch_warm() - read, without touching the process, what a trigger on
 * @pid would read from its files (ELF headers and build-ids, the C
 * library's symbols, the read-only segments the stack check unwinds
 * through) into the caches keyed by file.  Fleet workers forked after it
 * share that work instead of each redoing it.
 */
void patch_warm(pid_t pid, const struct patch_file *pf);

#endif
