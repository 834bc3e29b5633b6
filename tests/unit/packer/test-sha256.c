/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-sha256.c - the in-tree SHA-256 against the FIPS 180-4 example
 * vectors (NIST "SHA256.pdf" / FIPS 180-2 appendix B) and against block
 * boundary lengths, one-shot and fed in pieces.  Every case runs twice:
 * with the implementation the CPU gets (the SHA extensions where it has
 * them) and with the plain C one; and the two must agree on every length
 * up to a few blocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packer/sha256.h"

static void hex(const uint8_t d[SHA256_DIGEST_LEN], char out[2 * SHA256_DIGEST_LEN + 1])
{
	for (int i = 0; i < SHA256_DIGEST_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check_digest(const void *data, size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char got[2 * SHA256_DIGEST_LEN + 1];
	sha256_digest(data, len, d);
	hex(d, got);
	assert_string_equal(got, want);
}

static void test_fips_abc(void **state)
{
	(void)state;
	check_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_fips_empty(void **state)
{
	(void)state;
	check_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_fips_448_bits(void **state)
{
	(void)state;
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_digest(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_fips_896_bits(void **state)
{
	(void)state;
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check_digest(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_fips_million_a(void **state)
{
	(void)state;
	char *m = malloc(1000000);
	assert_non_null(m);
	memset(m, 'a', 1000000);
	check_digest(m, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

/* Lengths around the padding boundaries (55/56 bytes: the length field
 * still fits / needs a second block); message bytes 0, 1, 2, ... */
static const struct {
	size_t len;
	const char *digest;
} boundary[] = {
	{ 55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59" },
	{ 56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562" },
	{ 63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488" },
	{ 64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108" },
	{ 65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781" },
	{ 119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6" },
	{ 120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c" },
	{ 128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5" },
};

static void test_block_boundaries(void **state)
{
	(void)state;
	uint8_t m[128];
	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(boundary) / sizeof(boundary[0]); i++)
		check_digest(m, boundary[i].len, boundary[i].digest);
}

/* Feeding the 896-bit message in two pieces, split anywhere, or byte by
 * byte, gives the one-shot digest. */
static void test_incremental(void **state)
{
	(void)state;
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	size_t len = strlen(m);
	uint8_t want[SHA256_DIGEST_LEN], got[SHA256_DIGEST_LEN];
	sha256_digest(m, len, want);
	for (size_t split = 0; split <= len; split++) {
		struct sha256 s;
		sha256_init(&s);
		sha256_update(&s, m, split);
		sha256_update(&s, m + split, len - split);
		sha256_final(&s, got);
		assert_memory_equal(got, want, SHA256_DIGEST_LEN);
	}
	struct sha256 s;
	sha256_init(&s);
	for (size_t i = 0; i < len; i++)
		sha256_update(&s, m + i, 1);
	sha256_final(&s, got);
	assert_memory_equal(got, want, SHA256_DIGEST_LEN);
}

/* Both compressions give the same digest for every length 0..1100, fed
 * whole and in odd-sized pieces. */
static void test_implementations_agree(void **state)
{
	(void)state;
	uint8_t m[1100];
	uint32_t x = 2463534242u; /* xorshift32: any fixed, varied bytes */
	for (size_t i = 0; i < sizeof(m); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		m[i] = (uint8_t)x;
	}
	for (size_t len = 0; len <= sizeof(m); len++) {
		uint8_t plain[SHA256_DIGEST_LEN], chosen[SHA256_DIGEST_LEN];
		sha256_use_generic(true);
		sha256_digest(m, len, plain);
		sha256_use_generic(false);
		struct sha256 s;
		sha256_init(&s);
		for (size_t off = 0; off < len; off += 67)
			sha256_update(&s, m + off, len - off < 67 ? len - off : 67);
		sha256_final(&s, chosen);
		assert_memory_equal(plain, chosen, SHA256_DIGEST_LEN);
	}
}

static int use_generic(void **state)
{
	(void)state;
	sha256_use_generic(true);
	return 0;
}

static int use_chosen(void **state)
{
	(void)state;
	sha256_use_generic(false);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_abc),       cmocka_unit_test(test_fips_empty),
		cmocka_unit_test(test_fips_448_bits),  cmocka_unit_test(test_fips_896_bits),
		cmocka_unit_test(test_fips_million_a), cmocka_unit_test(test_block_boundaries),
		cmocka_unit_test(test_incremental),    cmocka_unit_test(test_implementations_agree),
	};
	printf("# the CPU's SHA extensions: %s\n", sha256_accelerated() ? "used" : "not available");
	int failed = cmocka_run_group_tests_name("chosen", tests, use_chosen, NULL);
	return failed + cmocka_run_group_tests_name("plain C", tests, use_generic, use_chosen);
}
