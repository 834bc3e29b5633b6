/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd.c - line reader on raw read(2) and flushed answers; see cmd.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

/* A read that keeps failing (not EINTR) would otherwise spin forever. */
#define MAX_FAILURES 100

void cmd_setup(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Return the next buffered line, or NULL when no newline is buffered. */
static char *line_take(struct cmd_reader *r)
{
	char *s = r->buf + r->start;
	char *nl = memchr(s, '\n', r->len - r->start);

	if (!nl)
		return NULL;
	*nl = '\0';
	r->start = (size_t)(nl - r->buf) + 1;
	return s;
}

/* Move the unread part to the front; drop an overlong line. */
static void buf_compact(struct cmd_reader *r)
{
	memmove(r->buf, r->buf + r->start, r->len - r->start);
	r->len -= r->start;
	r->start = 0;
	if (r->len == sizeof(r->buf)) {
		say("ERR line too long");
		r->len = 0;
	}
}

/* One read(2).  Return: 1 data or a reported error, 0 end of input. */
static int buf_fill(struct cmd_reader *r)
{
	ssize_t n;

	buf_compact(r);
	n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
	if (n > 0) {
		r->len += (size_t)n;
		r->failures = 0;
		return 1;
	}
	if (n == 0)
		return 0;
	say("ERR read: %s", strerror(errno));
	if (errno != EINTR && ++r->failures > MAX_FAILURES)
		return 0;
	return 1;
}

char *cmd_read_line(struct cmd_reader *r)
{
	char *line;

	while (!(line = line_take(r)))
		if (buf_fill(r) == 0)
			return NULL;
	return line;
}

char *cmd_poll_line(struct cmd_reader *r, int *ret_eof)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	char *line = line_take(r);

	*ret_eof = 0;
	if (line)
		return line;
	if (poll(&p, 1, 0) <= 0)
		return NULL;
	if (buf_fill(r) == 0) {
		*ret_eof = 1;
		return NULL;
	}
	return line_take(r);
}

int cmd_serve(cmd_handler handle)
{
	struct cmd_reader r = CMD_READER_INIT;
	char *line, word[32];

	say("ready");
	while ((line = cmd_read_line(&r))) {
		int n = 0;
		if (sscanf(line, "%31s %d", word, &n) < 1)
			continue;
		if (strcmp(word, "quit") == 0)
			break;
		if (!handle(word, n, line))
			say("ERR unknown command '%s'", word);
	}
	say("bye");
	return 0;
}
