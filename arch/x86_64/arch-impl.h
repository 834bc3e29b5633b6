/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arch-impl.h - x86_64 types behind arch/arch.h; include arch.h, not this. */
#ifndef ULP_ARCH_IMPL_H
#define ULP_ARCH_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

/*
 * -fpatchable-function-entry=16,14: 14 bytes of NOPs before the entry and
 * 2 at it (after endbr64 when -fcf-protection is on).  The window the
 * patcher reads is 14 + 4 + 2 = 20 bytes so that both layouts fit.
 */
#define ARCH_PAD_BEFORE 14
#define ARCH_WINDOW_LEN 20

/* Bytes of ulp_return_stub (entry.S; checked by tests/unit/test-arch.c). */
#define ARCH_RETURN_STUB_LEN 68

struct arch_regs {
	struct user_regs_struct gp;
	uint8_t *xstate; /* XSAVE area as PTRACE_GETREGSET NT_X86_XSTATE gives it */
	size_t xstate_len;
};

/* clang-format off */
#define ARCH_REGS_INIT {.xstate = NULL}
/* clang-format on */

/* A system call with up to two arguments, straight to the kernel. */
static inline long arch_syscall2(long nr, long a, long b)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

#endif
