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
/** arch_regs_save_gp() - only the general registers (no extended state). */
int arch_regs_save_gp(pid_t tid, struct arch_regs *ret_regs);
/**
 * arch_regs_resume_form() - turn saved registers into what the thread
 * would resume with if no signal handler ran: a system call it was
 * interrupted in set to be entered again.  Written back at any kind of
 * stop, these registers resume it the same way.
 */
void arch_regs_resume_form(struct arch_regs *regs);
/**
 * arch_regs_eintr_restart() - a blocking call that a ptrace stop ends with
 * EINTR rather than restarting it (epoll_wait, sigtimedwait, semop, an
 * inotify read: signal(7)) is set to be made again with its own
 * arguments.  Return: whether @regs were such a call (and changed).
 */
bool arch_regs_eintr_restart(struct arch_regs *regs);
/** arch_regs_restore() - write back what arch_regs_save() read. */
int arch_regs_restore(pid_t tid, const struct arch_regs *regs);
void arch_regs_release(struct arch_regs *regs);

uint64_t arch_regs_ip(const struct arch_regs *regs);
/** arch_thread_ip() - only the instruction pointer of a stopped thread (cheap). */
int arch_thread_ip(pid_t tid, uint64_t *ret_ip);

/**
 * arch_call_frame() - the signal frame through which the entry stub gives
 * the thread back (rt_sigreturn on x86_64), with or without a controller:
 * @saved's registers, with a system call it was interrupted in set to run
 * again, its FP/vector state and @sigmask, laid out to end at @top.
 * Return: 0 with a malloc'ed image of *@ret_len bytes to write at
 * @top - *@ret_len, and in *@ret_frame the address arch_call_setup()
 * passes to the stub.  -EINVAL if @saved's extended state is not one the
 * kernel described.
 */
int arch_call_frame(const struct arch_regs *saved, uint64_t sigmask, uint64_t top, uint8_t **ret_image, size_t *ret_len,
		    uint64_t *ret_frame);

/**
 * arch_call_setup() - registers that make a stopped thread call a function.
 * @saved:   the thread's own registers (left untouched).
 * @call:    receives the register set to install; starts as a copy of @saved.
 * @stub:    address of the runtime's entry stub (ulp_entry_stub).
 * @fn:      the function the stub calls.
 * @args:    up to ARCH_CALL_MAX_ARGS integer/pointer arguments.
 * @sp:      stack pointer to use; callers reserve their scratch data above it.
 * @frame:   what arch_call_frame() returned in *ret_frame.
 *
 * The stub aligns the stack, calls @fn and returns through the frame;
 * arch_call_done() recognises the system call that does it.  Any system
 * call the thread was interrupted in is not restarted while the call runs.
 */
#define ARCH_CALL_MAX_ARGS 4
int arch_call_setup(const struct arch_regs *saved, struct arch_regs *call, uint64_t stub, uint64_t fn,
		    const uint64_t *args, unsigned nargs, uint64_t sp, uint64_t frame);

/**
 * arch_call_done() - whether a thread at a syscall-entry stop with @at is
 * at the entry stub's return through its frame; then *@ret_value is the
 * called function's integer result.  Continued from there, the thread
 * is itself again at the syscall-exit stop that follows.
 */
bool arch_call_done(uint64_t stub, const struct arch_regs *at, int64_t *ret_value);

/**
 * The return stub: a thread let run out of a replaced function returns
 * into it.  arch_return_marker() says whether a syscall-entry stop with
 * @at is the stub's marker; there the thread's return value and real
 * return address are the two words at arch_return_saved_at(), and
 * arch_return_land() moves @at to where the function returned to, as if
 * the stub had finished.
 */
bool arch_return_marker(uint64_t return_stub, const struct arch_regs *at);
uint64_t arch_return_saved_at(const struct arch_regs *at);
void arch_return_land(struct arch_regs *at, const uint64_t saved[2]);

/** arch_call_scratch_sp() - lowest safe stack address below @saved's red zone. */
uint64_t arch_call_scratch_sp(const struct arch_regs *saved);

/**
 * arch_return_slot() - where a frame's return address is kept, given the
 * stack pointer of the frame it returns to (as an unwinder reports it).
 */
uint64_t arch_return_slot(uint64_t caller_sp);

/**
 * arch_thread_in_syscall() - whether the stopped thread was stopped while
 * blocked in a system call (which restarts when it resumes).
 */
bool arch_thread_in_syscall(pid_t tid);

#endif
