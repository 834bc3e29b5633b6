/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-string.c - the runtime's own string functions (libpulp/string.c)
 * against the C library's, on every length and alignment a small buffer
 * offers.  string.c is compiled here under other names (meson.build) so
 * that this program's own calls still go to the C library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

void *t_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *t_memmove(void *dst, const void *src, size_t n);
void *t_memset(void *dst, int c, size_t n);
int t_memcmp(const void *a, const void *b, size_t n);
void *t_memchr(const void *p, int c, size_t n);
size_t t_strlen(const char *s);
char *t_strchrnul(const char *s, int c);
char *t_strchr(const char *s, int c);
char *t_strrchr(const char *s, int c);
int t_strncmp(const char *a, const char *b, size_t n);
int t_strcmp(const char *a, const char *b);
size_t t_strcspn(const char *s, const char *reject);

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_memory(void **state)
{
	(void)state;
	unsigned char a[64], b[64], c[64];
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (unsigned char)(i * 37 + 200);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= sizeof(a); n++) {
			memset(b, 0, sizeof(b));
			memset(c, 0, sizeof(c));
			assert_ptr_equal(t_memcpy(b + off, a, n), b + off);
			memcpy(c + off, a, n);
			assert_memory_equal(b, c, sizeof(b));
			assert_ptr_equal(t_memset(b + off, 0xa5, n), b + off);
			memset(c + off, 0xa5, n);
			assert_memory_equal(b, c, sizeof(b));
			assert_int_equal(t_memcmp(a, a, n), 0);
			if (n) {
				memcpy(b, a, n);
				b[n - 1] ^= 0x80; /* a byte above 0x7f compares as unsigned */
				assert_int_equal(sign(t_memcmp(a, b, n)), sign(memcmp(a, b, n)));
				assert_ptr_equal(t_memchr(a, a[n - 1], n), memchr(a, a[n - 1], n));
			}
			assert_ptr_equal(t_memchr(a, 0x100 + 1, n), memchr(a, 0x100 + 1, n));
		}
}

/* Overlapping moves, both directions, every distance. */
static void test_memmove(void **state)
{
	(void)state;
	unsigned char b[48], c[48];
	for (size_t from = 0; from < 16; from++)
		for (size_t to = 0; to < 16; to++)
			for (size_t n = 0; n <= 32; n++) {
				for (size_t i = 0; i < sizeof(b); i++)
					b[i] = c[i] = (unsigned char)i;
				assert_ptr_equal(t_memmove(b + to, b + from, n), b + to);
				memmove(c + to, c + from, n);
				assert_memory_equal(b, c, sizeof(b));
			}
}

static void test_strings(void **state)
{
	(void)state;
	static const char *const s[] = { "",
					 "a",
					 "abc",
					 "abcabc",
					 "/usr/lib/libc.so.6",
					 "x\xff"
					 "y",
					 "\xff" };
	static const char *const sets[] = { "", "c", "/.", "zyx", "\xff" };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		assert_int_equal(t_strlen(s[i]), strlen(s[i]));
		for (int ch = 0; ch < 256; ch++) {
			assert_ptr_equal(t_strchr(s[i], ch), strchr(s[i], ch));
			assert_ptr_equal(t_strrchr(s[i], ch), strrchr(s[i], ch));
			assert_ptr_equal(t_strchrnul(s[i], ch), strchrnul(s[i], ch));
		}
		for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
			assert_int_equal(t_strcspn(s[i], sets[k]), strcspn(s[i], sets[k]));
		for (size_t j = 0; j < sizeof(s) / sizeof(s[0]); j++) {
			assert_int_equal(sign(t_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])));
			for (size_t n = 0; n < 8; n++)
				assert_int_equal(sign(t_strncmp(s[i], s[j], n)), sign(strncmp(s[i], s[j], n)));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_memmove),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
