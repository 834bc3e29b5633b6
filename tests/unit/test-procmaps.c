/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-procmaps.c - parsing the text of a maps file: the runtime's lookup
 * of one address (the path kernels before 6.11, without PROCMAP_QUERY,
 * take when it checks which file a patch was mapped from) and the lines
 * the controller reads for every process it patches.
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

/* Every field of a line, and the path up to the end of its line only. */
static void test_line_fields(void **state)
{
	(void)state;
	struct maps_line l;
	assert_true(maps_line_parse(maps + 0, &l));
	assert_int_equal(l.start, 0x55a341aa0000);
	assert_int_equal(l.end, 0x55a341aa1000);
	assert_memory_equal(l.perms, "r--p", 4);
	assert_int_equal(l.offset, 0);
	assert_int_equal(l.major, 0xfe);
	assert_int_equal(l.minor, 1);
	assert_int_equal(l.inode, 1311);
	assert_int_equal(l.path_len, strlen("/usr/bin/prog"));
	assert_memory_equal(l.path, "/usr/bin/prog", l.path_len);

	const char *line = maps_line_next(maps);
	assert_true(maps_line_parse(line, &l));
	assert_int_equal(l.path_len, strlen("/opt/patch with spaces.so"));
	assert_memory_equal(l.path, "/opt/patch with spaces.so", l.path_len);

	line = maps_line_next(line);
	assert_true(maps_line_parse(line, &l));
	assert_memory_equal(l.perms, "r-xp", 4);
	assert_int_equal(l.offset, 0x1000);
	assert_int_equal(l.major, 0x103);

	line = maps_line_next(line);
	assert_true(maps_line_parse(line, &l));
	assert_memory_equal(l.path, "[stack]", l.path_len);

	line = maps_line_next(line);
	assert_true(maps_line_parse(line, &l));
	assert_int_equal(l.start, 0xffffffffff600000);
	assert_null(maps_line_next(line));

	/* Anonymous: no path, at the end of the text or of a line. */
	assert_true(maps_line_parse("1000-2000 rw-p 00000000 00:00 0", &l));
	assert_int_equal(l.path_len, 0);
	assert_true(maps_line_parse("1000-2000 rw-p 00000000 00:00 0 \nnext", &l));
	assert_int_equal(l.path_len, 0);
	assert_true(maps_line_parse("1000-2000 r--p 0 08:01 7 /lib/x.so (deleted)\n", &l));
	assert_int_equal(l.path_len, strlen("/lib/x.so (deleted)"));
}

/* Fields missing, out of place or too large. */
static void test_line_refused(void **state)
{
	(void)state;
	struct maps_line l;
	static const char *const bad[] = {
		"",
		"\n",
		"1000-2000",
		"1000-2000 r--p",
		"1000-2000 r--p 0 08:01",
		"1000-2000 r--p 0 08:01 x /x",
		"1000-2000 r-- 0 08:01 5 /x",
		"-2000 r--p 0 08:01 5 /x",
		"1000-2000 r--p 0 0801 5 /x",
		"1000-2000 r--p 0 08:01 5x /x",
		"1000-2000  r--p 0 08:01 5 /x",
		"10000000000000000-2000 r--p 0 08:01 5 /x",
		"1000-2000 r--p 0 100000000:01 5 /x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (maps_line_parse(bad[i], &l))
			fail_msg("accepted: '%s'", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),	    cmocka_unit_test(test_not_mapped),
		cmocka_unit_test(test_malformed),   cmocka_unit_test(test_own_maps),
		cmocka_unit_test(test_line_fields), cmocka_unit_test(test_line_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
