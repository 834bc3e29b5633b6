/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-description.c - the .dsc parser: what it keeps from good input and
 * the exact error line (and code) for each kind of bad input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "libpulp/ulp-errors.h"
#include "packer/description.h"

static int parse(const char *text, struct description *d, struct diag *err)
{
	return description_parse("t.dsc", text, strlen(text), d, err);
}

static void test_full(void **state)
{
	(void)state;
	struct description d = DESCRIPTION_INIT;
	struct diag err = DIAG_INIT;
	const char *text = "! bsc#1234: fix the overflow \n"
			   "\n"
			   "  /tmp/patch.so\r\n"
			   "@/usr/lib64/libfoo.so.1\n"
			   "foo:foo_v2\n"
			   "\t\n"
			   "static_bar : bar_v2\n"
			   "!CVE-2021-3449\n"
			   "!\n";
	assert_int_equal(parse(text, &d, &err), 0);
	assert_string_equal(d.file, "t.dsc");
	assert_int_equal(d.nlines, 9);
	assert_string_equal(d.patch_path, "/tmp/patch.so");
	assert_int_equal(d.patch_line, 3);
	assert_string_equal(d.target_path, "/usr/lib64/libfoo.so.1");
	assert_int_equal(d.target_line, 4);
	assert_int_equal(d.npairs, 2);
	assert_string_equal(d.pairs[0].old_name, "foo");
	assert_string_equal(d.pairs[0].new_name, "foo_v2");
	assert_int_equal(d.pairs[0].line, 5);
	assert_string_equal(d.pairs[1].old_name, "static_bar");
	assert_string_equal(d.pairs[1].new_name, "bar_v2");
	assert_int_equal(d.pairs[1].line, 7);
	assert_int_equal(d.ncomments, 3);
	assert_string_equal(d.comments[0], "bsc#1234: fix the overflow");
	assert_string_equal(d.comments[1], "CVE-2021-3449");
	assert_string_equal(d.comments[2], "");
	description_release(&d);
	description_release(&d); /* safe twice: release resets */
}

/* References: names, optional hex offsets (with or without 0x), '#%' for
 * TLS; versioned and file-qualified names are kept as written. */
static void test_refs(void **state)
{
	(void)state;
	struct description d = DESCRIPTION_INIT;
	struct diag err = DIAG_INIT;
	const char *text = "p.so\n@t.so\nmemcpy@GLIBC_2.2.5:my_memcpy\n"
			   "#counter:counter_ref\n"
			   "#helper[b.c]:helper_ref:0x1a2B:40\n"
			   "#%tls_var:tls_ref:10:0X20\n"
			   "#edge:edge_ref:ffffffffffffffff:000000000000000000010\n";
	assert_int_equal(parse(text, &d, &err), 0);
	assert_string_equal(d.pairs[0].old_name, "memcpy@GLIBC_2.2.5");
	assert_int_equal(d.nrefs, 4);
	assert_string_equal(d.refs[0].target_sym, "counter");
	assert_string_equal(d.refs[0].patch_sym, "counter_ref");
	assert_false(d.refs[0].tls);
	assert_false(d.refs[0].has_offsets);
	assert_int_equal(d.refs[0].line, 4);
	assert_string_equal(d.refs[1].target_sym, "helper[b.c]");
	assert_true(d.refs[1].has_offsets);
	assert_int_equal(d.refs[1].target_off, 0x1a2b);
	assert_int_equal(d.refs[1].patch_off, 0x40);
	assert_true(d.refs[2].tls);
	assert_string_equal(d.refs[2].target_sym, "tls_var");
	assert_int_equal(d.refs[2].target_off, 0x10);
	assert_int_equal(d.refs[2].patch_off, 0x20);
	/* The largest offset, and leading zeros: 64 bits, not 16 digits. */
	assert_int_equal(d.refs[3].target_off, UINT64_MAX);
	assert_int_equal(d.refs[3].patch_off, 0x10);
	description_release(&d);
}

/* No '@' line is not an error of the syntax: 'ulp packer -t' supplies it. */
static void test_no_target_no_newline(void **state)
{
	(void)state;
	struct description d = DESCRIPTION_INIT;
	struct diag err = DIAG_INIT;
	assert_int_equal(parse("p.so\na:b", &d, &err), 0);
	assert_null(d.target_path);
	assert_int_equal(d.npairs, 1);
	assert_string_equal(d.pairs[0].new_name, "b");
	assert_int_equal(d.nlines, 2);
	description_release(&d);
}

/* A patch path may contain ':' (only the first line is a path). */
static void test_patch_path_with_colon(void **state)
{
	(void)state;
	struct description d = DESCRIPTION_INIT;
	struct diag err = DIAG_INIT;
	assert_int_equal(parse("dir:x/p.so\n@t.so\na:b\n", &d, &err), 0);
	assert_string_equal(d.patch_path, "dir:x/p.so");
	description_release(&d);
}

static const struct bad_case {
	const char *text;
	int code;
	const char *msg;
} bad[] = {
	{ "p.so\n@t.so\n#a:ref\n#b:ref\nf:g\n", -ULP_E_DESCRIPTION,
	  "t.dsc:4: 'ref' is already set by the reference on line 3; a patch variable holds one reference" },
	{ "p.so\n@t.so\n#sym:ref\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: no function to replace; add a line 'old_function:new_function'" },
	{ "p.so\n@t.so\n#sym\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: malformed reference; write '#target_sym:patch_ref' or '#target_sym:patch_ref:TOFF:POFF' "
	  "with hex offsets ('#%' for TLS)" },
	{ "p.so\n@t.so\n#sym:ref:10\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: malformed reference; write '#target_sym:patch_ref' or '#target_sym:patch_ref:TOFF:POFF' "
	  "with hex offsets ('#%' for TLS)" },
	{ "p.so\n@t.so\n#sym:ref:10:xyz\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: malformed reference; write '#target_sym:patch_ref' or '#target_sym:patch_ref:TOFF:POFF' "
	  "with hex offsets ('#%' for TLS)" },
	{ "p.so\n@t.so\nf:g\n#sym:ref:10000000000000000:8\n", -ULP_E_DESCRIPTION,
	  "t.dsc:4: offset '10000000000000000' does not fit in 64 bits; write the symbol's offset in hex" },
	{ "p.so\n@t.so\nf:g\n#%sym:ref:0:0x1ffffffffffffffff\n", -ULP_E_DESCRIPTION,
	  "t.dsc:4: offset '0x1ffffffffffffffff' does not fit in 64 bits; write the symbol's offset in hex" },
	{ "p.so\n@t.so\n#:ref\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: malformed reference; write '#target_sym:patch_ref' or '#target_sym:patch_ref:TOFF:POFF' "
	  "with hex offsets ('#%' for TLS)" },
	{ "p.so\n@t.so\nfoo:a\nbar:b\n\nfoo:c\n", -ULP_E_DESCRIPTION,
	  "t.dsc:6: function 'foo' is already replaced on line 3; keep one pair for it" },
	{ "p.so\n@t.so\n@u.so\na:b\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: second target 'u.so' (the first is on line 2); a description patches one target: "
	  "write one description per target" },
	{ "p.so\n@\na:b\n", -ULP_E_DESCRIPTION, "t.dsc:2: '@' without a path; write '@/path/to/target.so'" },
	{ "!c\n@t.so\np.so\n", -ULP_E_DESCRIPTION,
	  "t.dsc:2: expected the path of the patch object, found '@t.so'; the first line must name the patch .so" },
	{ "", -ULP_E_DESCRIPTION, "t.dsc:1: no patch object; the first line must be the path of the patch .so" },
	{ "\n! just a comment\n\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: no patch object; the first line must be the path of the patch .so" },
	{ "p.so\n@t.so\n", -ULP_E_DESCRIPTION,
	  "t.dsc:2: no function to replace; add a line 'old_function:new_function'" },
	{ "p.so\n@t.so\nfoo:bar:baz\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: too many ':' in 'foo:bar:baz'; write 'old_function:new_function'" },
	{ "p.so\n@t.so\nfoo\n", -ULP_E_DESCRIPTION, "t.dsc:3: expected 'old_function:new_function', found 'foo'" },
	{ "p.so\n@t.so\n:bar\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: missing old function name in ':bar'; write 'old_function:new_function'" },
	{ "p.so\n@t.so\nfoo: \n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: missing new function name in 'foo:'; write 'old_function:new_function'" },
	{ "p.so\n@t.so\nmy foo:bar\n", -ULP_E_DESCRIPTION,
	  "t.dsc:3: old function name 'my foo' contains white space; write 'old_function:new_function'" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct description d = DESCRIPTION_INIT;
		struct diag err = DIAG_INIT;
		int r = parse(bad[i].text, &d, &err);
		if (r != bad[i].code || strcmp(err.msg, bad[i].msg) != 0)
			fail_msg("case %zu: got %d '%s'\nwant %d '%s'", i, r, err.msg, bad[i].code, bad[i].msg);
		/* A failed parse leaves the output untouched. */
		assert_null(d.file);
		assert_null(d.patch_path);
		description_release(&d);
	}
}

static void test_nul_byte(void **state)
{
	(void)state;
	struct description d = DESCRIPTION_INIT;
	struct diag err = DIAG_INIT;
	static const char text[] = "p.so\n@t.so\nfoo:b\0ar\n";
	assert_int_equal(description_parse("t.dsc", text, sizeof(text) - 1, &d, &err), -ULP_E_DESCRIPTION);
	assert_string_equal(err.msg, "t.dsc:3: NUL byte in the line; a description is text");
}

static void test_read(void **state)
{
	(void)state;
	struct description d = DESCRIPTION_INIT;
	struct diag err = DIAG_INIT;
	char path[] = "/tmp/test-description-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* Longer than the reader's 4096-byte chunks. */
	for (int i = 0; i < 600; i++)
		assert_int_equal(write(fd, "!padding\n", 9), 9);
	const char *rest = "p.so\n@t.so\nfoo:bar\n";
	assert_int_equal(write(fd, rest, strlen(rest)), (int)strlen(rest));
	close(fd);
	assert_int_equal(description_read(path, &d, &err), 0);
	assert_int_equal(d.ncomments, 600);
	assert_int_equal(d.pairs[0].line, 603);
	assert_string_equal(d.file, path);
	description_release(&d);
	unlink(path);

	assert_int_equal(description_read(path, &d, &err), -ENOENT);
	char want[256];
	snprintf(want, sizeof(want), "cannot read description '%s': No such file or directory", path);
	assert_string_equal(err.msg, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full), cmocka_unit_test(test_no_target_no_newline),
		cmocka_unit_test(test_refs), cmocka_unit_test(test_patch_path_with_colon),
		cmocka_unit_test(test_bad),  cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
