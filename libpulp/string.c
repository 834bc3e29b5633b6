/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * string.c - the runtime's own memory and string functions.
 *
 * In glibc these are IFUNCs: binding libpulp.so to them at start-up
 * (-z now) runs their resolvers, scattered over libc's code, and the
 * kernel's fault-around then maps up to 64 KiB of libc around each one: a
 * process that is never patched held about 50 KiB more of libc resident
 * only because the runtime was loaded.  The runtime handles small buffers
 * (paths, metadata, a few hundred patch sites), so plain loops serve.
 *
 * Hidden: they serve libpulp.so's own calls (the compiler's included) and
 * nobody else's.  An object of libpulp.so, not an archive member: a
 * sanitizer build links its runtime's interceptors first, and an archive
 * member would then never be pulled in.  Loops are not turned into calls
 * (which here would be calls to themselves).
 */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

#include <stddef.h>
#include <stdint.h>

#define HIDDEN __attribute__((visibility("hidden")))

HIDDEN void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

HIDDEN void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if ((uintptr_t)d - (uintptr_t)s >= n) { /* copying forward clobbers nothing unread */
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

HIDDEN void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

HIDDEN int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

HIDDEN void *memchr(const void *p, int c, size_t n)
{
	const unsigned char *s = p;
	for (; n; n--, s++)
		if (*s == (unsigned char)c)
			return (void *)s;
	return NULL;
}

HIDDEN size_t strlen(const char *s)
{
	const char *p = s;
	while (*p)
		p++;
	return (size_t)(p - s);
}

HIDDEN char *strchrnul(const char *s, int c)
{
	while (*s && *s != (char)c)
		s++;
	return (char *)s;
}

HIDDEN char *strchr(const char *s, int c)
{
	s = strchrnul(s, c);
	return *s == (char)c ? (char *)s : NULL;
}

HIDDEN char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	do
		if (*s == (char)c)
			last = s;
	while (*s++);
	return (char *)last;
}

HIDDEN int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	return 0;
}

HIDDEN int strcmp(const char *a, const char *b)
{
	for (;; a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
}

HIDDEN size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;
	for (; s[n]; n++)
		for (const char *r = reject; *r; r++)
			if (s[n] == *r)
				return n;
	return n;
}
