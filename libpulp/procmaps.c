/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procmaps.c - one address looked up in the text of a maps file.
 * Line format (proc(5)): "START-END PERMS OFFSET MAJOR:MINOR INODE [PATH]",
 * numbers in hexadecimal except the inode.
 */
#include <stdio.h>
#include <string.h>

#include "libpulp/procmaps.h"

/* A hexadecimal number at *@s; *@s is left on the first other character. */
static uint64_t hex_parse(const char **s)
{
	uint64_t v = 0;
	for (;; (*s)++) {
		unsigned c = (unsigned char)**s, d;
		if (c - '0' < 10)
			d = c - '0';
		else if ((c | 0x20) - 'a' < 6)
			d = (c | 0x20) - 'a' + 10;
		else
			return v;
		v = v << 4 | d;
	}
}

bool maps_text_find(const char *text, uint64_t addr, unsigned *ret_major, unsigned *ret_minor, uint64_t *ret_ino)
{
	for (const char *line = text; line && *line;) {
		const char *p = line;
		uint64_t start = hex_parse(&p);
		uint64_t end = 0;
		if (*p == '-') {
			p++;
			end = hex_parse(&p);
		}
		if (addr >= start && addr < end) {
			unsigned long long ino;
			if (sscanf(p, " %*s %*s %x:%x %llu", ret_major, ret_minor, &ino) != 3)
				return false;
			*ret_ino = ino;
			return true;
		}
		line = strchr(p, '\n');
		line = line ? line + 1 : NULL;
	}
	return false;
}
