/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-arch.c - byte-exact tests of arch/x86_64: trampoline layouts with
 * and without endbr64, recognising unpatched / patched / unpatchable
 * entries, the call set-up for a borrowed thread and the entry stub.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/arch.h"

extern void ulp_entry_stub(void);

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
	assert_int_equal(arch_call_setup(&saved, &call, 0x5000, 0x6000, args, 3, sp - 40), 0);
	assert_true(call.gp.rip == 0x5000);
	assert_true(call.gp.rax == 0x6000);
	assert_true(call.gp.rdi == 1 && call.gp.rsi == 0x7000 && call.gp.rdx == 0x8000);
	assert_true(call.gp.rsp % 16 == 0 && call.gp.rsp <= sp - 40 && call.gp.rsp > sp - 56);
	assert_true(call.gp.orig_rax == (unsigned long long)-1); /* no syscall restart into the stub */
	assert_true((call.gp.eflags & ((1u << 10) | (1u << 8))) == 0);
	assert_true(call.gp.r12 == 0xabcdef);
	/* The saved set is untouched: restoring it restarts the read. */
	assert_true(saved.gp.orig_rax == 0 && saved.gp.rip == 0x401000);
	assert_int_equal(arch_call_setup(&saved, &call, 0, 0, args, ARCH_CALL_MAX_ARGS + 1, sp), -E2BIG);
}

static void test_entry_stub_bytes(void **state)
{
	(void)state;
	static const uint8_t expect[] = { 0x48, 0x83, 0xe4, 0xf0, /* and $-16,%rsp */
					  0xff, 0xd0,		  /* call *%rax */
					  0xcc };		  /* int3 */
	const uint8_t *stub = (const uint8_t *)(uintptr_t)ulp_entry_stub;
	assert_memory_equal(stub, expect, sizeof(expect));
	uint64_t base = (uint64_t)(uintptr_t)stub;
	assert_true(arch_call_trap_ip(base) == base + sizeof(expect));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_unpatched),  cmocka_unit_test(test_classify_not_patchable),
		cmocka_unit_test(test_patched_bytes_plain), cmocka_unit_test(test_patched_bytes_endbr),
		cmocka_unit_test(test_stale_padding),	    cmocka_unit_test(test_site_ip_ok),
		cmocka_unit_test(test_call_setup),	    cmocka_unit_test(test_entry_stub_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
