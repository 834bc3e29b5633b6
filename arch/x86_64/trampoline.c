/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trampoline.c - the bytes of an x86_64 patch site.
 *
 * Built with -fpatchable-function-entry=16,14 a function looks like this
 * (E is the entry, the address callers use):
 *
 *   E-14                                   E      E+2
 *   | 90 90 90 90 90 90 90 90 90 90 90 90 90 90 | 90 90 | body...
 *
 * or, with -fcf-protection, with the landing pad first:
 *
 *   E-14                                   E             E+4    E+6
 *   | 90 x 14                                  | f3 0f 1e fa | 90 90 | body...
 *
 * The two entry NOPs may also have been rewritten by `ulp post` into one
 * 2-byte NOP (66 90).  A patched site jumps to the new function:
 *
 *   E-14              E-8                      E      E+2
 *   | ff 25 00 00 00 00 | <new address, 8 bytes LE> | eb f0 | body...
 *     jmp *0(%rip)                                   jmp E-14
 *
 * (with endbr64 the short jump sits at E+4 and reads eb ec).  A call to
 * the old function thus lands in the new one with the stack and every
 * register untouched, and the new one returns straight to the caller.
 * The old body still starts at E+2 (E+6), so a patch can call it.
 */
#include <string.h>

#include "arch/arch.h"

#define NOP1	  0x90
#define JMP_SHORT 0xeb
#define ENTRY_LEN 2
#define ENDBR_LEN 4

static const uint8_t endbr64[ENDBR_LEN] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const uint8_t jmp_abs[6] = { 0xff, 0x25, 0x00, 0x00, 0x00, 0x00 };
static const uint8_t nop2[ENTRY_LEN] = { 0x66, 0x90 };

static bool pad_is_nops(const uint8_t *pad)
{
	for (int i = 0; i < ARCH_PAD_BEFORE; i++)
		if (pad[i] != NOP1)
			return false;
	return true;
}

static uint64_t le64_get(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void le64_put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Offset within the window of the two entry bytes. */
static uint32_t entry_bytes_off(bool endbr)
{
	return ARCH_PAD_BEFORE + (endbr ? ENDBR_LEN : 0);
}

/* rel8 of the short jump at the entry bytes back to the window start. */
static uint8_t back_jump_rel8(bool endbr)
{
	int rel = -(int)(entry_bytes_off(endbr) + ENTRY_LEN);
	return (uint8_t)(int8_t)rel;
}

int arch_site_classify(const uint8_t *window, struct arch_site *ret_site)
{
	struct arch_site site = { .state = ARCH_ENTRY_NOT_PATCHABLE };
	site.endbr = memcmp(window + ARCH_PAD_BEFORE, endbr64, ENDBR_LEN) == 0;
	site.start_off = -ARCH_PAD_BEFORE;
	site.len = entry_bytes_off(site.endbr) + ENTRY_LEN;

	const uint8_t *entry = window + entry_bytes_off(site.endbr);
	bool pad_jump = memcmp(window, jmp_abs, sizeof(jmp_abs)) == 0;
	bool entry_nop = (entry[0] == NOP1 && entry[1] == NOP1) || memcmp(entry, nop2, ENTRY_LEN) == 0;

	if (entry_nop && (pad_is_nops(window) || pad_jump)) {
		/* A trampoline left in the padding is dead code while the
		 * entry holds NOPs: nothing jumps into the padding. */
		site.state = ARCH_ENTRY_UNPATCHED;
	} else if (pad_jump && entry[0] == JMP_SHORT && entry[1] == back_jump_rel8(site.endbr)) {
		site.state = ARCH_ENTRY_PATCHED;
		site.target = le64_get(window + sizeof(jmp_abs));
	}
	*ret_site = site;
	return 0;
}

void arch_site_patched_bytes(const uint8_t *window, const struct arch_site *site, uint64_t target, uint8_t *out)
{
	memcpy(out, window, site->len);
	memcpy(out, jmp_abs, sizeof(jmp_abs));
	le64_put(out + sizeof(jmp_abs), target);
	uint8_t *entry = out + entry_bytes_off(site->endbr);
	entry[0] = JMP_SHORT;
	entry[1] = back_jump_rel8(site->endbr);
}

uint32_t arch_site_body_off(const struct arch_site *site)
{
	return entry_bytes_off(site->endbr) + ENTRY_LEN - ARCH_PAD_BEFORE;
}

bool arch_site_ip_ok(uint32_t len, uint32_t off)
{
	bool endbr = len == entry_bytes_off(true) + ENTRY_LEN;
	return off == 0 || off == ARCH_PAD_BEFORE || (endbr && off == entry_bytes_off(true));
}
