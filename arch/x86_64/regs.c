/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * regs.c - saving, restoring and rewriting the registers of a thread the
 * controller borrows.  The caller holds the thread in a ptrace stop.
 */
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch/arch.h"

#define RED_ZONE    128
#define STACK_ALIGN 16
#define EFLAGS_TF   (1u << 8)
#define EFLAGS_DF   (1u << 10)

/*
 * Size of the XSAVE area for the features the kernel enabled (CPUID 0xD),
 * asked once: in a virtual machine CPUID traps to the hypervisor (about
 * 4 us each here), which was 6% of ulp's CPU time over a fleet.
 */
static size_t xstate_size(void)
{
	static size_t size;
	unsigned eax, ebx, ecx, edx;
	if (!size)
		size = __get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx) && ebx >= 576 ? ebx : 4096;
	return size;
}

int arch_regs_save(pid_t tid, struct arch_regs *ret_regs)
{
	struct arch_regs r = ARCH_REGS_INIT;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &r.gp) < 0)
		return -errno;

	size_t size = xstate_size();
	r.xstate = calloc(1, size);
	if (!r.xstate)
		return -ENOMEM;
	struct iovec iov = { .iov_base = r.xstate, .iov_len = size };
	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) < 0) {
		int r_errno = -errno;
		free(r.xstate);
		return r_errno;
	}
	r.xstate_len = iov.iov_len;
	*ret_regs = r;
	return 0;
}

int arch_regs_restore(pid_t tid, const struct arch_regs *regs)
{
	if (ptrace(PTRACE_SETREGS, tid, NULL, &regs->gp) < 0)
		return -errno;
	if (regs->xstate) {
		struct iovec iov = { .iov_base = regs->xstate, .iov_len = regs->xstate_len };
		if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_X86_XSTATE, &iov) < 0)
			return -errno;
	}
	return 0;
}

void arch_regs_release(struct arch_regs *regs)
{
	free(regs->xstate);
	regs->xstate = NULL;
	regs->xstate_len = 0;
}

uint64_t arch_regs_ip(const struct arch_regs *regs)
{
	return regs->gp.rip;
}

int arch_thread_ip(pid_t tid, uint64_t *ret_ip)
{
	errno = 0;
	long ip = ptrace(PTRACE_PEEKUSER, tid, (void *)offsetof(struct user_regs_struct, rip), NULL);
	if (errno)
		return -errno;
	*ret_ip = (uint64_t)ip;
	return 0;
}

uint64_t arch_call_scratch_sp(const struct arch_regs *saved)
{
	return saved->gp.rsp - RED_ZONE;
}

int arch_call_setup(const struct arch_regs *saved, struct arch_regs *call, uint64_t stub, uint64_t fn,
		    const uint64_t *args, unsigned nargs, uint64_t sp)
{
	if (nargs > ARCH_CALL_MAX_ARGS)
		return -E2BIG;
	*call = (struct arch_regs)ARCH_REGS_INIT;
	call->gp = saved->gp;

	unsigned long long *argregs[ARCH_CALL_MAX_ARGS] = { &call->gp.rdi, &call->gp.rsi, &call->gp.rdx,
							    &call->gp.rcx };
	for (unsigned i = 0; i < nargs; i++)
		*argregs[i] = args[i];
	call->gp.rax = fn;
	call->gp.rip = stub;
	call->gp.rsp = sp & ~(uint64_t)(STACK_ALIGN - 1);
	/* The ABI wants the direction flag clear at a call; a thread may be
	 * stopped inside a backwards string copy.  No single-stepping. */
	call->gp.eflags &= ~(unsigned long long)(EFLAGS_DF | EFLAGS_TF);
	/* Not a system call any more: the kernel must not "restart" one by
	 * moving rip back over our stub.  The saved registers keep orig_rax,
	 * so the interrupted call restarts when they are restored. */
	call->gp.orig_rax = (unsigned long long)-1;
	return 0;
}

/*
 * The entry stub (entry.S) is:
 *   48 83 e4 f0   and  $-16,%rsp
 *   ff d0         call *%rax
 *   cc            int3          <- the trap reports rip after this byte
 */
#define STUB_TRAP_END 7

uint64_t arch_call_trap_ip(uint64_t stub)
{
	return stub + STUB_TRAP_END;
}

uint64_t arch_call_result(const struct arch_regs *after)
{
	return after->gp.rax;
}

size_t arch_breakpoint(uint8_t *insn)
{
	insn[0] = 0xcc; /* int3 */
	return 1;
}

uint64_t arch_breakpoint_hit_ip(uint64_t addr)
{
	return addr + 1;
}

int arch_thread_set_ip(pid_t tid, uint64_t ip)
{
	if (ptrace(PTRACE_POKEUSER, tid, (void *)offsetof(struct user_regs_struct, rip), (void *)ip) < 0)
		return -errno;
	return 0;
}

/* Interrupted system calls report -ERESTARTSYS .. -ERESTART_RESTARTBLOCK. */
#define ERESTART_FIRST 512
#define ERESTART_LAST  516

bool arch_thread_in_syscall(pid_t tid)
{
	errno = 0;
	long nr = ptrace(PTRACE_PEEKUSER, tid, (void *)offsetof(struct user_regs_struct, orig_rax), NULL);
	long ret = ptrace(PTRACE_PEEKUSER, tid, (void *)offsetof(struct user_regs_struct, rax), NULL);
	return errno == 0 && nr >= 0 && ret <= -ERESTART_FIRST && ret >= -ERESTART_LAST;
}
