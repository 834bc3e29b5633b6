/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arch.h - the one interface to everything that differs per CPU.
 *
 * Used by both sides: the controller (ulp) to borrow threads and to check
 * instruction pointers against patch sites, the runtime (libpulp.so) to
 * build the bytes it asks the controller to write, and the packer to decide
 * whether a function has a patchable entry.  The implementation for the
 * build's CPU lives in arch/<cpu>/; its private types come from
 * "arch-impl.h", found through the include path meson sets.
 */
#ifndef ULP_ARCH_H
#define ULP_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arch-impl.h"

/*
 * A patch site is the window of bytes around a function entry that a live
 * patch rewrites: ARCH_PAD_BEFORE bytes of padding before the entry and a
 * few bytes at it.  ARCH_SITE_MAX bounds the window on every CPU, so that
 * structures shared with the runtime can hold a whole window inline.
 */
#define ARCH_SITE_MAX 24

enum arch_entry_state {
	ARCH_ENTRY_NOT_PATCHABLE = 0, /* not the layout we know how to patch */
	ARCH_ENTRY_UNPATCHED = 1,     /* pristine padding and entry NOPs */
	ARCH_ENTRY_PATCHED = 2,	      /* our trampoline is in place */
};

/**
 * struct arch_site - where a patch site lies relative to a function entry.
 * @start_off: offset of the window's first byte from the entry (negative).
 * @len:       number of bytes in the window (all may be rewritten).
 * @endbr:     the function starts with an indirect-branch landing pad that
 *             is kept as it is.
 * @state:     what the window holds now.
 * @target:    for ARCH_ENTRY_PATCHED, the address the trampoline jumps to.
 */
struct arch_site {
	int32_t start_off;
	uint32_t len;
	bool endbr;
	enum arch_entry_state state;
	uint64_t target;
};

/**
 * arch_site_classify() - recognise the bytes around a function entry.
 * @window: ARCH_WINDOW_LEN bytes starting ARCH_PAD_BEFORE bytes before
 *          the entry.
 * @ret_site: filled in on success.
 *
 * Return: 0 and @ret_site filled (state may be ARCH_ENTRY_NOT_PATCHABLE,
 * in which case the other fields are meaningless).
 */
int arch_site_classify(const uint8_t *window, struct arch_site *ret_site);

/**
 * arch_site_patched_bytes() - the bytes of a site jumping to @target.
 * @window: current ARCH_WINDOW_LEN bytes (classified as patchable).
 * @site:   the classification of @window.
 * @target: absolute address of the new function.
 * @out:    receives @site->len bytes for the window at @site->start_off.
 */
void arch_site_patched_bytes(const uint8_t *window, const struct arch_site *site, uint64_t target, uint8_t *out);

/**
 * arch_site_body_off() - where the original body continues after the entry
 * bytes, as an offset from the entry: a patch calls entry + this offset to
 * reach the old code.
 */
uint32_t arch_site_body_off(const struct arch_site *site);

/**
 * arch_site_ip_ok() - whether a thread stopped @off bytes into a window of
 * @len bytes may stay there while the window is rewritten: @off is the
 * start of an instruction both in every layout the window can hold, and
 * what follows from there is right in each (the window start, the entry,
 * the entry bytes after endbr64).  Anywhere else it could resume in the
 * middle of a new instruction.
 */
bool arch_site_ip_ok(uint32_t len, uint32_t off);

/*
 * long arch_syscall2(long nr, long a, long b) (inline, arch-impl.h) -
 * system call @nr with arguments @a and @b, without the C library:
 * returns the kernel's value (-errno on failure).  The runtime's
 * constructor uses it so that a process which is never patched does not
 * fault in C library code only because the runtime is there.
 */

/* --- borrowing a thread (controller side only) --- */

/**
 * struct arch_regs - the complete user register state of a stopped thread:
 * general registers plus the extended (FP/vector) state.  Starts zeroed
 * (ARCH_REGS_INIT); arch_regs_release() is always safe.
 */
struct arch_regs;

/** arch_regs_save() - read every register of the ptrace-stopped @tid. */
int arch_regs_save(pid_t tid, struct arch_regs *ret_regs);
/** arch_regs_restore() - write back what arch_regs_save() read. */
int arch_regs_restore(pid_t tid, const struct arch_regs *regs);
void arch_regs_release(struct arch_regs *regs);

uint64_t arch_regs_ip(const struct arch_regs *regs);
/** arch_thread_ip() - only the instruction pointer of a stopped thread (cheap). */
int arch_thread_ip(pid_t tid, uint64_t *ret_ip);

/**
 * arch_call_setup() - registers that make a stopped thread call a function.
 * @saved:   the thread's own registers (left untouched).
 * @call:    receives the register set to install; starts as a copy of @saved.
 * @stub:    address of the runtime's entry stub (ulp_entry_stub).
 * @fn:      the function the stub calls.
 * @args:    up to ARCH_CALL_MAX_ARGS integer/pointer arguments.
 * @sp:      stack pointer to use; callers reserve their scratch data above it.
 *
 * The stub aligns the stack, calls @fn and traps; arch_call_trap_ip() is
 * where that trap reports.  Any system call the thread was interrupted in
 * is not restarted while the call runs (it is restarted when the saved
 * registers go back).
 */
#define ARCH_CALL_MAX_ARGS 4
int arch_call_setup(const struct arch_regs *saved, struct arch_regs *call, uint64_t stub, uint64_t fn,
		    const uint64_t *args, unsigned nargs, uint64_t sp);

/** arch_call_scratch_sp() - lowest safe stack address below @saved's red zone. */
uint64_t arch_call_scratch_sp(const struct arch_regs *saved);

/**
 * arch_breakpoint() - the trap instruction planted where a thread let run
 * alone must stop; returns its length (at most ARCH_BREAKPOINT_MAX).
 * arch_breakpoint_hit_ip() is the instruction pointer a thread reports
 * after executing it at @addr.
 */
#define ARCH_BREAKPOINT_MAX 4
size_t arch_breakpoint(uint8_t *insn);
uint64_t arch_breakpoint_hit_ip(uint64_t addr);

/**
 * arch_thread_in_syscall() - whether the stopped thread was stopped while
 * blocked in a system call (which restarts when it resumes).
 */
bool arch_thread_in_syscall(pid_t tid);

/** arch_thread_set_ip() - move a stopped thread's instruction pointer. */
int arch_thread_set_ip(pid_t tid, uint64_t ip);

/** arch_call_trap_ip() - the instruction pointer reported when the stub traps. */
uint64_t arch_call_trap_ip(uint64_t stub);

/** arch_call_result() - the called function's integer return value. */
uint64_t arch_call_result(const struct arch_regs *after);

#endif
