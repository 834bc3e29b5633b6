/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-procmaps.c - the runtime's lookup of one address in the text of
 * /proc/self/maps: the path kernels before 6.11 (no PROCMAP_QUERY) take
 * when the runtime checks which file a patch was mapped from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libpulp/procmaps.h"

static const char maps[] = "55a341aa0000-55a341aa1000 r--p 00000000 fe:01 1311 /usr/bin/prog\n"
			   "7f9182a01000-7f9182a02000 r--p 00000000 08:1f 123456789 /opt/patch with spaces.so\n"
			   "7f9182a02000-7f9182a03000 r-xp 00001000 103:0a 42 /opt/p.so\n"
			   "7ffd0b3c2000-7ffd0b3e3000 rw-p 00000000 00:00 0                          [stack]\n"
			   "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

static void test_lines(void **state)
{
	(void)state;
	unsigned maj, min;
	uint64_t ino;
	assert_true(maps_text_find(maps, 0x55a341aa0000, &maj, &min, &ino));
	assert_int_equal(maj, 0xfe);
	assert_int_equal(min, 1);
	assert_int_equal(ino, 1311);
	assert_true(maps_text_find(maps, 0x7f9182a01fff, &maj, &min, &ino));
	assert_int_equal(maj, 8);
	assert_int_equal(min, 0x1f);
	assert_int_equal(ino, 123456789);
	assert_true(maps_text_find(maps, 0x7f9182a02000, &maj, &min, &ino));
	assert_int_equal(maj, 0x103);
	assert_int_equal(min, 0xa);
	assert_int_equal(ino, 42);
	assert_true(maps_text_find(maps, 0xffffffffff600800, &maj, &min, &ino));
	assert_int_equal(ino, 0);
}

/* Addresses no line holds: the end of a mapping is exclusive. */
static void test_not_mapped(void **state)
{
	(void)state;
	unsigned maj, min;
	uint64_t ino;
	assert_false(maps_text_find(maps, 0x55a341aa1000, &maj, &min, &ino));
	assert_false(maps_text_find(maps, 0x1000, &maj, &min, &ino));
	assert_false(maps_text_find("", 0x1000, &maj, &min, &ino));
}

/* Truncated or garbled lines are not misread as a match. */
static void test_malformed(void **state)
{
	(void)state;
	unsigned maj, min;
	uint64_t ino;
	assert_false(maps_text_find("1000-2000 r--p 00000000\n", 0x1800, &maj, &min, &ino));
	assert_false(maps_text_find("1000 2000 r--p 00000000 08:01 5 /x\n", 0x1800, &maj, &min, &ino));
	assert_false(maps_text_find("garbage\n\n1000-2000", 0x1800, &maj, &min, &ino));
	assert_true(maps_text_find("garbage\n1000-2000 r--p 0 08:01 5 /x", 0x1800, &maj, &min, &ino));
	assert_int_equal(ino, 5);
}

/* The text of this very process: its own code is found in a file mapping. */
static void test_own_maps(void **state)
{
	(void)state;
	FILE *f = fopen("/proc/self/maps", "r");
	assert_non_null(f);
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	unsigned maj, min;
	uint64_t ino;
	assert_true(maps_text_find(text, (uint64_t)(uintptr_t)&test_own_maps, &maj, &min, &ino));
	assert_true(ino != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_not_mapped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_own_maps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
