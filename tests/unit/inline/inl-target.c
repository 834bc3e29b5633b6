/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inl-target.c - a library whose DWARF records inlined copies, one small
 * inlined function per case test-inline.c checks.  Built -O2 (the cold
 * split and the clone need it); always_inline makes the copies certain.
 */
#define INLINED static inline __attribute__((always_inline))

int api_one(int x);
int api_two(int x);
int api_twice(int x, int y);
int api_nested(int x);
int api_call(int x);
int api_mid(int x);
int api_outer(int x);
int api_cold(int x);
void api_report(int x);

/* Two exported callers. */
INLINED int scale(int x)
{
	return x * 3 + 1;
}

int api_one(int x)
{
	return scale(x) + 1;
}

int api_two(int x)
{
	return scale(x) - 2;
}

/* Two copies in one caller, on lines of their own. */
INLINED int twice(int x)
{
	return (x << 1) ^ 0x55;
}

int api_twice(int x, int y)
{
	int a = twice(x);
	int b = twice(y);
	return a * b;
}

/* A copy in a copy: "deep" is reported in api_nested, not in helper. */
INLINED int deep(int x)
{
	return x * x - 7;
}

INLINED int helper(int x)
{
	return deep(x + 2) + 5;
}

int api_nested(int x)
{
	return helper(x);
}

/*
 * Never inlined, so no copies of "kept"; GCC clones it (kept.constprop.0,
 * the DWARF a subprogram with only DW_AT_abstract_origin), and the copy of
 * "bump" in the clone is reported in "kept".
 */
INLINED int bump(int x)
{
	return x * 11 - 3;
}

__attribute__((noinline)) static int kept(int x, int unused)
{
	(void)unused;
	return bump(x);
}

int api_call(int x)
{
	return kept(x, 0) + kept(x + 1, 0);
}

/*
 * Both inlined (into api_mid) and out of line (its address is taken): a
 * copy of "square" in each.
 */
INLINED int square(int x)
{
	return x * x;
}

INLINED int mid(int x)
{
	return square(x) + 9;
}

int (*const api_mid_ptr)(int) = mid;

int api_mid(int x)
{
	return mid(x) * 2;
}

/* A GNU C nested function has code of its own (symbol inner.0). */
INLINED int halve(int x)
{
	return x / 2;
}

int api_outer(int x)
{
	__attribute__((noinline)) int inner(int y)
	{
		return halve(y) ^ x;
	}
	return inner(x + 1) + 2;
}

/*
 * Split into api_cold and api_cold.cold, a copy of "negate" in each; the
 * DWARF gives api_cold ranges, the hot part first but at a higher address.
 */
INLINED int negate(int x)
{
	return (x ^ 0x5a5a) * 13;
}

__attribute__((cold, noinline)) void api_report(int x)
{
	__asm__ volatile("" : : "r"(x));
}

int api_cold(int x)
{
	if (__builtin_expect(x < 0, 0)) {
		api_report(negate(x));
		api_report(x + 1);
		return 7;
	}
	return negate(x + 1);
}

/*
 * Removed by --gc-sections (hidden and unused; no patchable entry, whose
 * __patchable_function_entries record would keep it): its DIE stays, with
 * low_pc 0, but its copy of "lost" does not exist.
 */
INLINED int lost(int x)
{
	return x + 100;
}

__attribute__((visibility("hidden"), patchable_function_entry(0, 0))) int api_gone(int x);

__attribute__((visibility("hidden"), patchable_function_entry(0, 0))) int api_gone(int x)
{
	return lost(x);
}
