/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-arch.c - byte-exact tests of arch/x86_64: trampoline layouts with
 * and without endbr64, recognising unpatched / patched / unpatchable
 * entries, the call set-up for a borrowed thread, its signal frame, the
 * entry stub, and the return stub run for real.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arch/arch.h"
#include "libpulp/ulp-abi.h"

extern void ulp_entry_stub(void);
extern void ulp_return_stub(void);

/* The runtime defines the table; the return stub needs one to search. */
struct ulp_return ulp_return_table[ULP_RETURN_SLOTS];

#define N 0x90

/* Pristine window, no endbr: 14 NOPs, two 1-byte NOPs, then body bytes. */
static const uint8_t plain_nops[ARCH_WINDOW_LEN] = { N, N, N, N, N, N, N,    N,	   N,	 N,
						     N, N, N, N, N, N, 0x8d, 0x47, 0x01, 0xc3 };
/* The same after `ulp post`: one 2-byte NOP at the entry. */
static const uint8_t plain_nop2[ARCH_WINDOW_LEN] = { N, N, N, N, N,    N,    N,	   N,	 N,    N,
						     N, N, N, N, 0x66, 0x90, 0x8d, 0x47, 0x01, 0xc3 };
/* With -fcf-protection: endbr64 first, the two NOPs after it. */
static const uint8_t cet_nops[ARCH_WINDOW_LEN] = { N, N, N, N, N,    N,	   N,	 N,    N, N,
						   N, N, N, N, 0xf3, 0x0f, 0x1e, 0xfa, N, N };
/* Not built with patchable entries: a normal prologue. */
static const uint8_t not_patchable[ARCH_WINDOW_LEN] = { 0xc3, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
							0xcc, 0xcc, 0xcc, 0xcc, 0x55, 0x48, 0x89, 0xe5, 0x8b, 0x07 };

static void test_classify_unpatched(void **state)
{
	(void)state;
	struct arch_site s;
	assert_int_equal(arch_site_classify(plain_nops, &s), 0);
	assert_int_equal(s.state, ARCH_ENTRY_UNPATCHED);
	assert_false(s.endbr);
	assert_int_equal(s.start_off, -14);
	assert_int_equal(s.len, 16);
	assert_int_equal(arch_site_body_off(&s), 2);

	assert_int_equal(arch_site_classify(plain_nop2, &s), 0);
	assert_int_equal(s.state, ARCH_ENTRY_UNPATCHED);
	assert_int_equal(s.len, 16);

	assert_int_equal(arch_site_classify(cet_nops, &s), 0);
	assert_int_equal(s.state, ARCH_ENTRY_UNPATCHED);
	assert_true(s.endbr);
	assert_int_equal(s.len, 20);
	assert_int_equal(arch_site_body_off(&s), 6);
}

static void test_classify_not_patchable(void **state)
{
	(void)state;
	struct arch_site s;
	assert_int_equal(arch_site_classify(not_patchable, &s), 0);
	assert_int_equal(s.state, ARCH_ENTRY_NOT_PATCHABLE);

	/* NOPs at the entry but something else in the padding. */
	uint8_t w[ARCH_WINDOW_LEN];
	memcpy(w, plain_nops, sizeof(w));
	w[3] = 0xcc;
	arch_site_classify(w, &s);
	assert_int_equal(s.state, ARCH_ENTRY_NOT_PATCHABLE);

	/* One NOP only at the entry. */
	memcpy(w, plain_nops, sizeof(w));
	w[15] = 0x55;
	arch_site_classify(w, &s);
	assert_int_equal(s.state, ARCH_ENTRY_NOT_PATCHABLE);
}

static void test_patched_bytes_plain(void **state)
{
	(void)state;
	struct arch_site s;
	uint8_t out[ARCH_WINDOW_LEN];
	arch_site_classify(plain_nops, &s);
	arch_site_patched_bytes(plain_nops, &s, 0x1122334455667788ull, out);
	static const uint8_t expect[16] = { 0xff, 0x25, 0x00, 0x00, 0x00, 0x00,		    /* jmp *0(%rip) */
					    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* address */
					    0xeb, 0xf0 };				    /* jmp E-14 */
	assert_memory_equal(out, expect, sizeof(expect));

	/* And it is recognised as patched, with the target read back. */
	uint8_t w[ARCH_WINDOW_LEN];
	memcpy(w, plain_nops, sizeof(w));
	memcpy(w, out, s.len);
	struct arch_site p;
	arch_site_classify(w, &p);
	assert_int_equal(p.state, ARCH_ENTRY_PATCHED);
	assert_true(p.target == 0x1122334455667788ull);
}

static void test_patched_bytes_endbr(void **state)
{
	(void)state;
	struct arch_site s;
	uint8_t out[ARCH_WINDOW_LEN];
	arch_site_classify(cet_nops, &s);
	arch_site_patched_bytes(cet_nops, &s, 0x00007f0011223344ull, out);
	static const uint8_t expect[20] = { 0xff, 0x25, 0x00, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22,
					    0x11, 0x00, 0x7f, 0x00, 0x00, 0xf3, 0x0f, 0x1e, 0xfa, /* endbr kept */
					    0xeb, 0xec }; /* jmp E-14 from E+4 */
	assert_memory_equal(out, expect, sizeof(expect));

	struct arch_site p;
	arch_site_classify(out, &p);
	assert_int_equal(p.state, ARCH_ENTRY_PATCHED);
	assert_true(p.endbr);
	assert_true(p.target == 0x00007f0011223344ull);
}

/* A trampoline left in the padding behind entry NOPs is dead code: the
 * site counts as unpatched (a revert that restored the entry first). */
static void test_stale_padding(void **state)
{
	(void)state;
	struct arch_site s, u;
	uint8_t patched[ARCH_WINDOW_LEN];
	arch_site_classify(cet_nops, &s);
	memcpy(patched, cet_nops, sizeof(patched));
	arch_site_patched_bytes(cet_nops, &s, 0x1000, patched);
	memcpy(patched + 18, "\x66\x90", 2);
	arch_site_classify(patched, &u);
	assert_int_equal(u.state, ARCH_ENTRY_UNPATCHED);
	assert_true(u.endbr);
}

static void test_site_ip_ok(void **state)
{
	(void)state;
	/* Plain: only the window start and the entry are shared boundaries. */
	for (uint32_t off = 0; off < 16; off++)
		assert_int_equal(arch_site_ip_ok(16, off), off == 0 || off == 14);
	/* endbr64: also the entry bytes after it. */
	for (uint32_t off = 0; off < 20; off++)
		assert_int_equal(arch_site_ip_ok(20, off), off == 0 || off == 14 || off == 18);
}

static void test_call_setup(void **state)
{
	(void)state;
	struct arch_regs saved = ARCH_REGS_INIT, call;
	saved.gp.rsp = 0x7ffd00001238;
	saved.gp.rip = 0x401000;
	saved.gp.orig_rax = 0; /* interrupted in read(2) */
	saved.gp.rax = (unsigned long long)-512;
	saved.gp.eflags = 0x246 | (1u << 10) | (1u << 8);
	saved.gp.r12 = 0xabcdef;

	uint64_t sp = arch_call_scratch_sp(&saved);
	assert_true(sp == 0x7ffd00001238 - 128);
	uint64_t args[3] = { 1, 0x7000, 0x8000 };
	assert_int_equal(arch_call_setup(&saved, &call, 0x5000, 0x6000, args, 3, sp - 40, 0x7ffd00000800), 0);
	assert_true(call.gp.rip == 0x5000);
	assert_true(call.gp.rax == 0x6000);
	assert_true(call.gp.rdi == 1 && call.gp.rsi == 0x7000 && call.gp.rdx == 0x8000);
	assert_true(call.gp.rsp % 16 == 0 && call.gp.rsp <= sp - 40 && call.gp.rsp > sp - 56);
	assert_true(call.gp.orig_rax == (unsigned long long)-1); /* no syscall restart into the stub */
	assert_true((call.gp.eflags & ((1u << 10) | (1u << 8))) == 0);
	assert_true(call.gp.r12 == 0xabcdef);
	assert_true(call.gp.rbx == 0x7ffd00000800); /* the frame, for the stub */
	/* The saved set is untouched: restoring it restarts the read. */
	assert_true(saved.gp.orig_rax == 0 && saved.gp.rip == 0x401000);
	assert_int_equal(arch_call_setup(&saved, &call, 0, 0, args, ARCH_CALL_MAX_ARGS + 1, sp, 0), -E2BIG);
}

/* An XSAVE image as ptrace gives it: XCR0 at 464. */
static uint8_t *fake_xstate(uint32_t size, uint64_t xcr0)
{
	uint8_t *x = calloc(1, size);
	memcpy(x + 464, &xcr0, sizeof(xcr0));
	memset(x + 160, 0xab, 256); /* xmm0-15 */
	return x;
}

static void test_call_frame(void **state)
{
	(void)state;
	struct arch_regs saved = ARCH_REGS_INIT;
	saved.gp.rsp = 0x7ffd00001238;
	saved.gp.rip = 0x401002;
	saved.gp.orig_rax = 0; /* interrupted in read(2) */
	saved.gp.rax = (unsigned long long)-512;
	saved.gp.rbx = 0x1111;
	saved.gp.r15 = 0x2222;
	saved.gp.eflags = 0x246;
	saved.gp.cs = 0x33;
	saved.gp.ss = 0x2b;
	saved.xstate_len = 832;
	saved.xstate = fake_xstate(832, 0xe7);

	uint64_t top = arch_call_scratch_sp(&saved), uc;
	uint8_t *img;
	size_t len;
	assert_int_equal(arch_call_frame(&saved, 0x5000, top, &img, &len, &uc), 0);
	uint64_t low = top - len;
	assert_true(uc % 16 == 0 && uc > low && uc + 304 + 128 <= top);
	/* The sigcontext: registers, with the read set to be entered again. */
	const uint8_t *k = img + (uc - low);
	uint64_t v;
	memcpy(&v, k + 40 + 13 * 8, 8); /* rax */
	assert_true(v == 0);		/* = orig_rax: read again */
	memcpy(&v, k + 40 + 16 * 8, 8); /* rip */
	assert_true(v == 0x401000);	/* back over the syscall instruction */
	memcpy(&v, k + 40 + 11 * 8, 8); /* rbx */
	assert_true(v == 0x1111);
	memcpy(&v, k + 40 + 7 * 8, 8); /* r15 */
	assert_true(v == 0x2222);
	memcpy(&v, k + 40 + 15 * 8, 8); /* rsp */
	assert_true(v == 0x7ffd00001238);
	memcpy(&v, k + 296, 8); /* uc_sigmask */
	assert_true(v == 0x5000);
	uint64_t fp;
	memcpy(&fp, k + 40 + 23 * 8, 8); /* sigcontext.fpstate */
	assert_true(fp == low && fp % 64 == 0);
	/* The image, described as the kernel wants it, with its closing
	 * magic right after xstate_size bytes. */
	assert_memory_equal(img, saved.xstate, 464);
	uint32_t magic1, extended, xstate_size;
	uint64_t xfeatures;
	memcpy(&magic1, img + 464, 4);
	memcpy(&extended, img + 468, 4);
	memcpy(&xfeatures, img + 472, 8);
	memcpy(&xstate_size, img + 480, 4);
	assert_true(magic1 == 0x46505853 && extended == 836 && xfeatures == 0xe7 && xstate_size == 832);
	assert_memory_equal(img + 512, saved.xstate + 512, 832 - 512);
	uint32_t m2;
	memcpy(&m2, img + 832, 4);
	assert_true(m2 == 0x46505845);
	free(img);

	/* A sleep: rt_sigreturn would make restart_syscall fail, so the
	 * frame makes the call again; resumed by ptrace, restart_syscall
	 * keeps the time left. */
	saved.gp.orig_rax = 230;
	saved.gp.rax = (unsigned long long)-516;
	assert_int_equal(arch_call_frame(&saved, 0, top, &img, &len, &uc), 0);
	memcpy(&v, img + (uc - (top - len)) + 40 + 13 * 8, 8);
	assert_true(v == 230);
	free(img);
	struct arch_regs resume = saved;
	arch_regs_resume_form(&resume);
	assert_true(resume.gp.rax == 219 && resume.gp.rip == 0x401000);
	assert_true(resume.gp.orig_rax == (unsigned long long)-1);

	/* Not the kernel's image: refused rather than made up. */
	free(saved.xstate);
	saved.xstate = fake_xstate(832, 0);
	assert_int_equal(arch_call_frame(&saved, 0, top, &img, &len, &uc), -EINVAL);
	arch_regs_release(&saved);
}

static void test_entry_stub_bytes(void **state)
{
	(void)state;
	static const uint8_t expect[] = {
		0x48, 0x83, 0xe4, 0xf0,	      /* and $-16,%rsp */
		0xff, 0xd0,		      /* call *%rax */
		0x49, 0x89, 0xc4,	      /* mov %rax,%r12 */
		0x31, 0xff,		      /* xor %edi,%edi */
		0x48, 0x8d, 0x73, 0x10,	      /* lea 0x10(%rbx),%rsi */
		0xb8, 0x83, 0x00, 0x00, 0x00, /* mov $SYS_sigaltstack,%eax */
		0x0f, 0x05,		      /* syscall */
		0x4c, 0x89, 0xe7,	      /* mov %r12,%rdi */
		0x48, 0x89, 0xdc,	      /* mov %rbx,%rsp */
		0xb8, 0x0f, 0x00, 0x00, 0x00, /* mov $SYS_rt_sigreturn,%eax */
		0x0f, 0x05,		      /* syscall */
	};
	const uint8_t *stub = (const uint8_t *)(uintptr_t)ulp_entry_stub;
	assert_memory_equal(stub, expect, sizeof(expect));
	uint64_t base = (uint64_t)(uintptr_t)stub;
	struct arch_regs at = ARCH_REGS_INIT;
	int64_t result = 0;
	at.gp.rip = base + sizeof(expect);
	at.gp.orig_rax = 15;
	at.gp.rdi = (unsigned long long)-22;
	assert_true(arch_call_done(base, &at, &result));
	assert_true(result == -22);
	at.gp.orig_rax = 131; /* the sigaltstack before it is not the end */
	assert_false(arch_call_done(base, &at, &result));
}

/*
 * The return stub for real, the way a thread meets it after its
 * controller died: this function's return address is swapped for the
 * stub and noted in the table, and the call must still come back here
 * with its value, the table entry freed.
 */
__attribute__((noinline, optimize("no-omit-frame-pointer"))) static long swapped_return(long x)
{
	uint64_t *slot = (uint64_t *)__builtin_frame_address(0) + 1;
	ulp_return_table[5] = (struct ulp_return){ .slot = (uint64_t)(uintptr_t)slot, .ret = *slot };
	*slot = (uint64_t)(uintptr_t)ulp_return_stub;
	__asm__ volatile("" ::: "memory");
	return x * 3;
}

static void test_return_stub_runs(void **state)
{
	(void)state;
	ulp_return_table[2] = (struct ulp_return){ .slot = 0x1234, .ret = 0x5678 }; /* another thread's */
	long (*volatile fn)(long) = swapped_return;
	assert_int_equal(fn(14), 42);
	assert_true(ulp_return_table[5].slot == 0);
	assert_true(ulp_return_table[2].slot == 0x1234);
	assert_int_equal(fn(-5), -15);

	/* The marker a controller stops at, and where it lands the thread. */
	uint64_t base = (uint64_t)(uintptr_t)ulp_return_stub;
	const uint8_t *b = (const uint8_t *)(uintptr_t)ulp_return_stub;
	struct arch_regs at = ARCH_REGS_INIT;
	at.gp.orig_rax = 39;
	for (uint32_t off = 2; off < ARCH_RETURN_STUB_LEN; off++) {
		at.gp.rip = base + off;
		bool after_syscall = b[off - 2] == 0x0f && b[off - 1] == 0x05;
		assert_int_equal(arch_return_marker(base, &at), after_syscall);
	}
	assert_true(b[ARCH_RETURN_STUB_LEN - 1] == 0xc3); /* ret: the length is right */
	at.gp.rsp = 0x7000;
	assert_true(arch_return_saved_at(&at) == 0x7000);
	uint64_t saved[2] = { 99, 0x401234 };
	arch_return_land(&at, saved);
	assert_true(at.gp.rax == 99 && at.gp.rip == 0x401234 && at.gp.rsp == 0x7010);
	assert_true(at.gp.orig_rax == (unsigned long long)-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_unpatched),  cmocka_unit_test(test_classify_not_patchable),
		cmocka_unit_test(test_patched_bytes_plain), cmocka_unit_test(test_patched_bytes_endbr),
		cmocka_unit_test(test_stale_padding),	    cmocka_unit_test(test_site_ip_ok),
		cmocka_unit_test(test_call_setup),	    cmocka_unit_test(test_call_frame),
		cmocka_unit_test(test_entry_stub_bytes),    cmocka_unit_test(test_return_stub_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
