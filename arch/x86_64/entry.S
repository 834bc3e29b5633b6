/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * entry.S - where a borrowed thread starts running runtime code.
 *
 * The controller stops a thread, saves all its registers and points it
 * here with %rax = the runtime function to call and its arguments in
 * %rdi, %rsi, %rdx, %rcx.  The stub aligns the stack as the ABI wants at
 * a call, calls the function and traps; the controller reads %rax at the
 * trap and puts the thread's own registers back.  regs.c knows these
 * exact bytes (arch_call_trap_ip); tests/unit/test-arch.c checks them.
 *
 * CFI marks this as the outermost frame so that an unwinder stops here
 * instead of walking into the interrupted code with a wrong frame.
 */
	.text
	.globl	ulp_entry_stub
	.hidden	ulp_entry_stub
	.type	ulp_entry_stub, @function
	.p2align 4
ulp_entry_stub:
	.cfi_startproc
	.cfi_undefined rip
	and	$-16, %rsp
	call	*%rax
	int3
	.cfi_endproc
	.size	ulp_entry_stub, .-ulp_entry_stub

	.section .note.GNU-stack,"",@progbits
