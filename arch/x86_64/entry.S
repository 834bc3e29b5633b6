/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * entry.S - the code a thread runs on the controller's behalf.  Each stub
 * must leave the thread exactly as it was even if the controller is gone
 * (killed half-way): nothing here traps, and a controller that is alive
 * finds the thread at a system call it asked to stop at.
 *
 * ulp_entry_stub - where a borrowed thread starts running runtime code.
 *   The controller saves the thread's registers, writes a signal frame
 *   holding them (general registers, FP/vector state, signal mask) below
 *   the red zone and points the thread here with %rax = the function,
 *   its arguments in %rdi, %rsi, %rdx, %rcx and %rbx = the frame's
 *   ucontext.  The stub calls the function, copies the thread's current
 *   alternate signal stack into the frame (rt_sigreturn sets it again)
 *   and returns into the frame with rt_sigreturn: every register and the
 *   signal mask come back in one step, so no signal can see a half-way
 *   state.  %rdi holds the function's result at that system call, where a
 *   tracing controller reads it.
 *
 * ulp_return_stub - where a thread let run out of a replaced function
 *   returns: the controller swapped its return address for this stub and
 *   noted the real one in ulp_return_table, keyed by the stack slot.  The
 *   stub puts the real address back, frees the entry and returns there;
 *   on the way a getpid() marks the moment for a controller.  It keeps
 *   %rax, %rdx and the vector registers (the return values); %rcx and
 *   %r11 are free at a return.
 *
 * regs.c knows the offsets of the system calls (arch_call_done_ip,
 * arch_return_marker_ip); tests/unit/test-arch.c checks the bytes.  Both
 * stubs say "no caller" to unwinders (.cfi_undefined rip); the stack
 * check treats a frame anywhere in [ulp_stubs_start, ulp_stubs_end) as
 * not reliable, so a thread caught in one is never taken for consistent.
 */
#define SYS_getpid	 39
#define SYS_rt_sigreturn 15
#define SYS_sigaltstack	 131
#define UC_STACK	 16	/* offsetof(struct ucontext, uc_stack) */
#define RETURN_SLOTS	 64	/* ULP_RETURN_SLOTS in libpulp/ulp-abi.h */

	.text
	.globl	ulp_stubs_start, ulp_stubs_end, ulp_entry_stub, ulp_return_stub
	.hidden	ulp_stubs_start, ulp_stubs_end, ulp_entry_stub, ulp_return_stub
	.p2align 4
ulp_stubs_start:
	.type	ulp_entry_stub, @function
ulp_entry_stub:
	.cfi_startproc
	.cfi_undefined rip
	and	$-16, %rsp
	call	*%rax
	mov	%rax, %r12
	xor	%edi, %edi
	lea	UC_STACK(%rbx), %rsi
	mov	$SYS_sigaltstack, %eax
	syscall
	mov	%r12, %rdi
	mov	%rbx, %rsp
	mov	$SYS_rt_sigreturn, %eax
	syscall
	ud2
	.cfi_endproc
	.size	ulp_entry_stub, .-ulp_entry_stub

	.p2align 4
	.type	ulp_return_stub, @function
ulp_return_stub:
	.cfi_startproc
	.cfi_undefined rip
	sub	$16, %rsp		/* 8(%rsp): the slot; (%rsp): %rax */
	mov	%rax, (%rsp)
	lea	8(%rsp), %rax
	lea	ulp_return_table(%rip), %rcx
	lea	RETURN_SLOTS * 16(%rcx), %r11
1:	cmp	%rax, (%rcx)
	je	2f
	add	$16, %rcx
	cmp	%r11, %rcx
	jb	1b
	ud2				/* no entry: the controller broke its word */
2:	mov	8(%rcx), %r11
	mov	%r11, 8(%rsp)
	movq	$0, (%rcx)
	mov	$SYS_getpid, %eax
	syscall
	pop	%rax
	ret
	.cfi_endproc
	.size	ulp_return_stub, .-ulp_return_stub
ulp_stubs_end:

	.section .note.GNU-stack,"",@progbits
