/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sse-prog.c - does a borrowed thread get back every vector register?
 *
 * Single-threaded, so the thread ulp borrows to load a patch is this one.
 * It spends most of its time in spin(): an inline-asm block that loads a
 * distinct pattern into each of ymm0-15 (xmm0-15 without AVX2), sets a
 * non-default MXCSR (round toward zero, FTZ, DAZ) and x87 control word,
 * then loops - no calls - storing the registers and comparing them with the
 * patterns, counting the iterations that saw a difference and the largest
 * gap between two iterations (rdtsc), which shows the thread was stopped
 * while inside.  Between spins it polls stdin:
 *
 *   call N  -> "value R"      sse_value(N)
 *   status  -> "regs ok spins S stall_us U" or "regs BAD <what> spins S";
 *              U is the longest stop seen inside the asm since the last status
 *   quit    -> "bye"
 *
 * Prints "ready avx2" or "ready sse" first.  Usage: sse-prog [sse] - the
 * argument forces the SSE path on a machine with AVX2.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "libs.h"

#define NREGS	       16
#define QW_PER_REG     4 /* a ymm register; xmm use the first two */
#define SPIN_TARGET_US 2000

/* The asm addresses these fields by the offsets asserted below. */
struct spin_state {
	uint64_t pat[NREGS * QW_PER_REG]; /* 0 */
	uint64_t buf[NREGS * QW_PER_REG]; /* 512 */
	uint64_t iters;			  /* 1024 */
	uint64_t bad;			  /* 1032: iterations that saw a difference */
	uint64_t last_tsc;		  /* 1040 */
	uint64_t max_gap;		  /* 1048: in TSC ticks */
	uint32_t mxcsr_set;		  /* 1056 */
	uint32_t mxcsr_saved;		  /* 1060 */
	uint32_t mxcsr_now;		  /* 1064 */
	uint16_t fpucw_set;		  /* 1068 */
	uint16_t fpucw_saved;		  /* 1070 */
	uint16_t fpucw_now;		  /* 1072 */
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct spin_state, buf) == 512, "asm offsets");
_Static_assert(offsetof(struct spin_state, iters) == 1024, "asm offsets");
_Static_assert(offsetof(struct spin_state, mxcsr_set) == 1056, "asm offsets");
_Static_assert(offsetof(struct spin_state, fpucw_now) == 1072, "asm offsets");

/* MXCSR default 0x1f80; here: all exceptions masked, round toward zero
 * (RC=11), flush-to-zero, denormals-are-zero.  x87 default 0x037f; here:
 * 53-bit precision, round up. */
#define MXCSR_SPIN 0xffc0u
#define FPUCW_SPIN 0x0a7fu

#define LOAD_Y(i)  "vmovdqu " #i "*32(%[s]), %%ymm" #i "\n\t"
#define STORE_Y(i) "vmovdqu %%ymm" #i ", 512+" #i "*32(%[s])\n\t"
#define LOAD_X(i)  "movdqu " #i "*32(%[s]), %%xmm" #i "\n\t"
#define STORE_X(i) "movdqu %%xmm" #i ", 512+" #i "*32(%[s])\n\t"
#define ALL16(M)   M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)

/* Everything but the register loads and stores is the same for both. */
#define SPIN_ENTER                  \
	"stmxcsr 1060(%[s])\n\t"    \
	"fnstcw 1070(%[s])\n\t"     \
	"ldmxcsr 1056(%[s])\n\t"    \
	"fldcw 1068(%[s])\n\t"      \
	"rdtsc\n\t"                 \
	"shl $32, %%rdx\n\t"        \
	"or %%rax, %%rdx\n\t"       \
	"mov %%rdx, 1040(%[s])\n\t" \
	"mov 1024(%[s]), %%rcx\n\t"
#define SPIN_CHECK                        \
	"stmxcsr 1064(%[s])\n\t"          \
	"fnstcw 1072(%[s])\n\t"           \
	"xor %%edx, %%edx\n\t"            \
	"xor %%r8d, %%r8d\n\t"            \
	"2:\n\t"                          \
	"mov (%[s],%%rdx,8), %%r9\n\t"    \
	"xor 512(%[s],%%rdx,8), %%r9\n\t" \
	"or %%r9, %%r8\n\t"               \
	"inc %%rdx\n\t"                   \
	"cmp $64, %%rdx\n\t"              \
	"jne 2b\n\t"                      \
	"mov 1064(%[s]), %%r9d\n\t"       \
	"xor 1056(%[s]), %%r9d\n\t"       \
	"or %%r9, %%r8\n\t"               \
	"movzwl 1072(%[s]), %%r9d\n\t"    \
	"movzwl 1068(%[s]), %%r10d\n\t"   \
	"xor %%r10, %%r9\n\t"             \
	"or %%r9, %%r8\n\t"               \
	"test %%r8, %%r8\n\t"             \
	"jz 3f\n\t"                       \
	"incq 1032(%[s])\n\t"             \
	"3:\n\t"                          \
	"rdtsc\n\t"                       \
	"shl $32, %%rdx\n\t"              \
	"or %%rax, %%rdx\n\t"             \
	"mov %%rdx, %%r10\n\t"            \
	"sub 1040(%[s]), %%r10\n\t"       \
	"mov %%rdx, 1040(%[s])\n\t"       \
	"cmp 1048(%[s]), %%r10\n\t"       \
	"jbe 4f\n\t"                      \
	"mov %%r10, 1048(%[s])\n\t"       \
	"4:\n\t"                          \
	"dec %%rcx\n\t"                   \
	"jnz 1b\n\t"                      \
	"ldmxcsr 1060(%[s])\n\t"          \
	"fldcw 1070(%[s])\n\t"

#define SPIN_CLOBBERS                                                                                           \
	"rax", "rcx", "rdx", "r8", "r9", "r10", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
		"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory"

static void spin_avx2(struct spin_state *s)
{
	__asm__ volatile(SPIN_ENTER ALL16(LOAD_Y) "1:\n\t" ALL16(STORE_Y) SPIN_CHECK "vzeroupper\n\t"
			 :
			 : [s] "r"(s)
			 : SPIN_CLOBBERS);
}

static void spin_sse(struct spin_state *s)
{
	__asm__ volatile(SPIN_ENTER ALL16(LOAD_X) "1:\n\t" ALL16(STORE_X) SPIN_CHECK : : [s] "r"(s) : SPIN_CLOBBERS);
}

static struct spin_state state;
static int use_avx2;
static double ticks_per_us = 1000;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* New patterns every spin, so a stale register image cannot pass. */
static void patterns_set(uint64_t seed)
{
	for (int i = 0; i < NREGS * QW_PER_REG; i++)
		state.pat[i] = splitmix(&seed);
	/* the SSE loop stores 16 of 32 bytes: make the rest compare equal */
	memcpy(state.buf, state.pat, sizeof(state.buf));
}

static void spin(uint64_t seed)
{
	patterns_set(seed);
	state.mxcsr_set = MXCSR_SPIN;
	state.fpucw_set = FPUCW_SPIN;
	if (use_avx2)
		spin_avx2(&state);
	else
		spin_sse(&state);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Choose iterations for a spin of about SPIN_TARGET_US, and the TSC rate. */
static void spin_calibrate(void)
{
	double t0, t1;
	uint64_t c0, c1;

	state.iters = 20000;
	t0 = now_us();
	c0 = rdtsc();
	spin(1);
	c1 = rdtsc();
	t1 = now_us();
	if (t1 > t0 && c1 > c0) {
		ticks_per_us = (double)(c1 - c0) / (t1 - t0);
		state.iters = (uint64_t)(state.iters * SPIN_TARGET_US / (t1 - t0)) + 1;
	}
	state.bad = 0;
	state.max_gap = 0;
}

/* Name the first thing that differed in the last iteration's image. */
static void report_bad(unsigned long spins)
{
	int qw = use_avx2 ? QW_PER_REG : 2;

	for (int r = 0; r < NREGS; r++)
		for (int q = 0; q < qw; q++)
			if (state.buf[r * QW_PER_REG + q] != state.pat[r * QW_PER_REG + q]) {
				say("regs BAD %smm%d qword %d got %016llx want %016llx spins %lu", use_avx2 ? "y" : "x",
				    r, q, (unsigned long long)state.buf[r * QW_PER_REG + q],
				    (unsigned long long)state.pat[r * QW_PER_REG + q], spins);
				return;
			}
	if (state.mxcsr_now != state.mxcsr_set)
		say("regs BAD mxcsr got %#x want %#x spins %lu", state.mxcsr_now, state.mxcsr_set, spins);
	else if (state.fpucw_now != state.fpucw_set)
		say("regs BAD fpucw got %#x want %#x spins %lu", state.fpucw_now, state.fpucw_set, spins);
	else
		say("regs BAD (changed, then restored) spins %lu", spins);
}

int main(int argc, char **argv)
{
	struct cmd_reader r = CMD_READER_INIT;
	unsigned long spins = 0, bad_spins = 0;
	int eof = 0, n, bad_reported = 0;
	char *line, word[32];

	cmd_setup();
	__builtin_cpu_init();
	use_avx2 = __builtin_cpu_supports("avx2") && !(argc > 1 && strcmp(argv[1], "sse") == 0);
	spin_calibrate();
	say("ready %s", use_avx2 ? "avx2" : "sse");
	while (!eof) {
		spin(++spins);
		if (state.bad && !bad_reported) {
			/* keep the evidence: report it at the next status */
			bad_spins = spins;
			bad_reported = 1;
			report_bad(spins);
		}
		line = cmd_poll_line(&r, &eof);
		if (!line)
			continue;
		n = 0;
		if (sscanf(line, "%31s %d", word, &n) < 1)
			continue;
		if (strcmp(word, "call") == 0) {
			say("value %d", sse_value(n));
		} else if (strcmp(word, "status") == 0) {
			if (bad_spins)
				say("regs BAD %llu iterations since spin %lu", (unsigned long long)state.bad,
				    bad_spins);
			else
				say("regs ok spins %lu stall_us %.0f", spins, state.max_gap / ticks_per_us);
			state.max_gap = 0;
		} else if (strcmp(word, "quit") == 0) {
			break;
		} else {
			say("ERR unknown command '%s'", word);
		}
	}
	say("bye");
	return 0;
}
