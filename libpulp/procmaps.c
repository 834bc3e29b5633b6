/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procmaps.c - the lines of a maps file, parsed by hand: numbers are
 * hexadecimal except the inode, fields are separated by one space, the
 * path (if any) follows blanks up to the end of the line.
 */
#include <string.h>

#include "libpulp/procmaps.h"

/* A number in @base at *@s, at least one digit; *@s is left after it. */
static bool number_parse(const char **s, unsigned base, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p = *s;
	for (;; p++) {
		unsigned c = (unsigned char)*p, d;
		if (c - '0' < 10)
			d = c - '0';
		else if (base == 16 && (c | 0x20) - 'a' < 6)
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (p == *s)
		return false;
	*s = p;
	*ret = v;
	return true;
}

static bool expect(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

bool maps_line_parse(const char *line, struct maps_line *ret)
{
	const char *p = line;
	uint64_t maj, min;
	struct maps_line l;
	if (!number_parse(&p, 16, &l.start) || !expect(&p, '-') || !number_parse(&p, 16, &l.end) || !expect(&p, ' '))
		return false;
	for (unsigned i = 0; i < sizeof(l.perms); i++, p++) {
		if (*p == ' ' || *p == '\n' || !*p)
			return false;
		l.perms[i] = *p;
	}
	if (!expect(&p, ' ') || !number_parse(&p, 16, &l.offset) || !expect(&p, ' ') || !number_parse(&p, 16, &maj) ||
	    !expect(&p, ':') || !number_parse(&p, 16, &min) || !expect(&p, ' ') || !number_parse(&p, 10, &l.inode) ||
	    maj > 0xffffffffu || min > 0xffffffffu || (*p != ' ' && *p != '\n' && *p))
		return false;
	while (*p == ' ')
		p++;
	l.major = (unsigned)maj;
	l.minor = (unsigned)min;
	l.path = p;
	l.path_len = strcspn(p, "\n");
	*ret = l;
	return true;
}

const char *maps_line_next(const char *line)
{
	const char *nl = strchr(line, '\n');
	return nl && nl[1] ? nl + 1 : NULL;
}

bool maps_text_find(const char *text, uint64_t addr, unsigned *ret_major, unsigned *ret_minor, uint64_t *ret_ino)
{
	for (const char *line = *text ? text : NULL; line; line = maps_line_next(line)) {
		struct maps_line l;
		if (maps_line_parse(line, &l) && addr >= l.start && addr < l.end) {
			*ret_major = l.major;
			*ret_minor = l.minor;
			*ret_ino = l.inode;
			return true;
		}
	}
	return false;
}
