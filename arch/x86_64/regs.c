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

int arch_regs_save_gp(pid_t tid, struct arch_regs *ret_regs)
{
	ret_regs->xstate = NULL;
	ret_regs->xstate_len = 0;
	return ptrace(PTRACE_GETREGS, tid, NULL, &ret_regs->gp) < 0 ? -errno : 0;
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

/* Interrupted system calls report -ERESTARTSYS .. -ERESTART_RESTARTBLOCK. */
#define ERESTARTSYS	      512
#define ERESTARTNOINTR	      513
#define ERESTARTNOHAND	      514
#define ERESTART_RESTARTBLOCK 516
#define NR_RESTART_SYSCALL    219 /* __NR_restart_syscall */
#define SYSCALL_INSN_LEN      2	  /* syscall: 0f 05 */

/*
 * What the kernel would do to @g when the thread resumes from its stop
 * with no handler to run: an interrupted system call is entered again
 * from the syscall instruction.  A sleep interrupted with
 * -ERESTART_RESTARTBLOCK goes on for the time it had left through
 * restart_syscall, which only works when the thread is resumed by ptrace:
 * rt_sigreturn makes restart_syscall fail with EINTR.  For a signal
 * frame (@via_sigreturn), such a call is made again with its own
 * arguments instead: a relative sleep then lasts longer than asked (only
 * when the controller died during the call), never shorter.
 */
static void regs_restarted(struct user_regs_struct *g, bool via_sigreturn)
{
	long nr = (long)g->orig_rax, ret = (long)g->rax;
	if (nr >= 0 && (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
			(ret == -ERESTART_RESTARTBLOCK && via_sigreturn))) {
		g->rax = g->orig_rax;
		g->rip -= SYSCALL_INSN_LEN;
	} else if (nr >= 0 && ret == -ERESTART_RESTARTBLOCK) {
		g->rax = NR_RESTART_SYSCALL;
		g->rip -= SYSCALL_INSN_LEN;
	}
	g->orig_rax = (unsigned long long)-1;
}

/*
 * The kernel's signal frame on x86_64 (struct ucontext with struct
 * sigcontext inside, <asm/ucontext.h>, <asm/sigcontext.h>): what
 * rt_sigreturn reads at the stack pointer.  Written out here because
 * glibc's ucontext_t differs past uc_mcontext and <asm/sigcontext.h>
 * clashes with <signal.h>.
 */
struct kernel_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* address of the XSAVE image, 64-byte aligned */
	uint64_t reserved1[8];
};

struct kernel_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp; /* uc_stack: filled in by the stub (sigaltstack) */
	int32_t ss_flags;
	int32_t ss_pad;
	uint64_t ss_size;
	struct kernel_sigcontext mc;
	uint64_t sigmask;
};

_Static_assert(offsetof(struct kernel_ucontext, ss_sp) == 16, "uc_stack is at 16 (entry.S UC_STACK)");
_Static_assert(offsetof(struct kernel_ucontext, mc) == 40, "uc_mcontext is at 40");
_Static_assert(sizeof(struct kernel_sigcontext) == 256, "struct sigcontext is 256 bytes");
_Static_assert(offsetof(struct kernel_ucontext, sigmask) == 296, "uc_sigmask is at 296");

#define UC_FP_XSTATE	     0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4
#define FP_XSTATE_MAGIC1     0x46505853u
#define FP_XSTATE_MAGIC2     0x46505845u
#define FP_SW_BYTES_OFF	     464 /* struct _fpx_sw_bytes in the legacy area */
#define SIGINFO_SIZE	     128 /* rt_sigreturn checks the whole frame is addressable */
#define XSAVE_ALIGN	     64
#define XSTATE_MAX	     (1u << 20)

#define EINTR_RET 4

bool arch_regs_eintr_restart(struct arch_regs *regs)
{
	/* read (inotify), semop, rt_sigtimedwait, semtimedop, epoll_wait,
	 * epoll_pwait, epoll_pwait2: they did nothing when they say EINTR. */
	static const long restartable[] = { 0, 65, 128, 220, 232, 281, 441 };
	struct user_regs_struct *g = &regs->gp;
	if ((long)g->rax != -EINTR_RET)
		return false;
	for (size_t i = 0; i < sizeof(restartable) / sizeof(restartable[0]); i++) {
		if ((long)g->orig_rax != restartable[i])
			continue;
		g->rax = g->orig_rax;
		g->rip -= SYSCALL_INSN_LEN;
		g->orig_rax = (unsigned long long)-1;
		return true;
	}
	return false;
}

void arch_regs_resume_form(struct arch_regs *regs)
{
	regs_restarted(&regs->gp, false);
}

int arch_call_frame(const struct arch_regs *saved, uint64_t sigmask, uint64_t top, uint8_t **ret_image, size_t *ret_len,
		    uint64_t *ret_uc)
{
	/* ptrace puts the enabled features (XCR0) where a signal frame has
	 * the kernel's description of the image; the frame needs the latter. */
	uint64_t xcr0;
	uint32_t xsize = (uint32_t)saved->xstate_len;
	if (!saved->xstate || xsize < FP_SW_BYTES_OFF + 16 || xsize > XSTATE_MAX)
		return -EINVAL;
	memcpy(&xcr0, saved->xstate + FP_SW_BYTES_OFF, sizeof(xcr0));
	if (!xcr0)
		return -EINVAL;
	/* struct _fpx_sw_bytes: magic1, extended_size, xfeatures, xstate_size */
	uint8_t sw[20];
	uint32_t magic1 = FP_XSTATE_MAGIC1, extended = xsize + (uint32_t)sizeof(uint32_t);
	memcpy(sw, &magic1, 4);
	memcpy(sw + 4, &extended, 4);
	memcpy(sw + 8, &xcr0, 8);
	memcpy(sw + 16, &xsize, 4);

	uint64_t uc = (top - SIGINFO_SIZE - sizeof(struct kernel_ucontext)) & ~(uint64_t)(STACK_ALIGN - 1);
	uint64_t fp = (uc - 8 - xsize - sizeof(uint32_t)) & ~(uint64_t)(XSAVE_ALIGN - 1);
	size_t len = top - fp;
	uint8_t *image = calloc(1, len);
	if (!image)
		return -ENOMEM;
	memcpy(image, saved->xstate, xsize);
	memcpy(image + FP_SW_BYTES_OFF, sw, sizeof(sw));
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	memcpy(image + xsize, &magic2, sizeof(magic2));

	struct user_regs_struct g = saved->gp;
	regs_restarted(&g, true);
	struct kernel_ucontext k = {
		.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS,
		.mc = { .r8 = g.r8,
			.r9 = g.r9,
			.r10 = g.r10,
			.r11 = g.r11,
			.r12 = g.r12,
			.r13 = g.r13,
			.r14 = g.r14,
			.r15 = g.r15,
			.rdi = g.rdi,
			.rsi = g.rsi,
			.rbp = g.rbp,
			.rbx = g.rbx,
			.rdx = g.rdx,
			.rax = g.rax,
			.rcx = g.rcx,
			.rsp = g.rsp,
			.rip = g.rip,
			.eflags = g.eflags,
			.cs = (uint16_t)g.cs,
			.ss = (uint16_t)g.ss,
			.fpstate = fp },
		.sigmask = sigmask,
	};
	memcpy(image + (uc - fp), &k, sizeof(k));
	*ret_image = image;
	*ret_len = len;
	*ret_uc = uc;
	return 0;
}

int arch_call_setup(const struct arch_regs *saved, struct arch_regs *call, uint64_t stub, uint64_t fn,
		    const uint64_t *args, unsigned nargs, uint64_t sp, uint64_t frame)
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
	call->gp.rbx = frame; /* callee-saved: the stub finds it after the call */
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
 * Offsets in entry.S of the end of each stub's system call: where a
 * thread reports at its syscall stop.
 */
#define STUB_SIGRETURN_END 35 /* ulp_entry_stub: rt_sigreturn */
#define RETURN_GETPID_END  66 /* ulp_return_stub: getpid */
#define SYS_RT_SIGRETURN   15
#define SYS_GETPID	   39

bool arch_call_done(uint64_t stub, const struct arch_regs *at, int64_t *ret_value)
{
	if (at->gp.rip != stub + STUB_SIGRETURN_END || at->gp.orig_rax != SYS_RT_SIGRETURN)
		return false;
	*ret_value = (int64_t)at->gp.rdi;
	return true;
}

bool arch_return_marker(uint64_t return_stub, const struct arch_regs *at)
{
	return at->gp.rip == return_stub + RETURN_GETPID_END && at->gp.orig_rax == SYS_GETPID;
}

uint64_t arch_return_saved_at(const struct arch_regs *at)
{
	return at->gp.rsp;
}

void arch_return_land(struct arch_regs *at, const uint64_t saved[2])
{
	at->gp.rax = saved[0];
	at->gp.rip = saved[1];
	at->gp.rsp += 2 * sizeof(uint64_t);
	at->gp.orig_rax = (unsigned long long)-1; /* the getpid is not made */
}

uint64_t arch_return_slot(uint64_t caller_sp)
{
	return caller_sp - sizeof(uint64_t); /* pushed by the call */
}

bool arch_thread_in_syscall(pid_t tid)
{
	errno = 0;
	long nr = ptrace(PTRACE_PEEKUSER, tid, (void *)offsetof(struct user_regs_struct, orig_rax), NULL);
	long ret = ptrace(PTRACE_PEEKUSER, tid, (void *)offsetof(struct user_regs_struct, rax), NULL);
	return errno == 0 && nr >= 0 && ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK;
}
