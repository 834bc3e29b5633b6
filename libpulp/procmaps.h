/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procmaps.h - reading the text of /proc/PID/maps without a scanf per
 * line.  The runtime looks one address up while the thread it runs on is
 * taken from the program; the controller reads every mapping of every
 * process it patches.
 */
#ifndef ULP_RUNTIME_PROCMAPS_H
#define ULP_RUNTIME_PROCMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One line: "START-END PERMS OFFSET MAJOR:MINOR INODE [PATH]" (proc(5)). */
struct maps_line {
	uint64_t start, end, offset, inode;
	unsigned major, minor;
	char perms[4];	  /* "r-xp" */
	const char *path; /* into the text; "" for an anonymous mapping */
	size_t path_len;  /* up to the end of the line */
};

/*
 * maps_line_parse() - the line that starts at @line (it ends at a newline
 * or the NUL).  False if it is malformed.
 */
bool maps_line_parse(const char *line, struct maps_line *ret);

/* maps_line_next() - the line after the one at @line, NULL after the last. */
const char *maps_line_next(const char *line);

/*
 * maps_text_find() - in @text (the NUL-terminated contents of a maps
 * file), the device and inode of the mapping that holds @addr.  False if
 * no line holds it or that line is malformed.
 */
bool maps_text_find(const char *text, uint64_t addr, unsigned *ret_major, unsigned *ret_minor, uint64_t *ret_ino);

#endif
