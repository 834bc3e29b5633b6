/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd.h - the command channel of the test targets.
 *
 * Targets read commands line by line from stdin with raw read(2), so that a
 * read the controller interrupted shows up: it prints "ERR read: <reason>"
 * and goes on.  Answers go to stdout, one line each, flushed at once, so a
 * test can drive a target through fifos.
 */
#ifndef TARGETS_CMD_H
#define TARGETS_CMD_H

#include <stdbool.h>
#include <stddef.h>

#define CMD_LINE_MAX 512

struct cmd_reader {
	int fd;
	size_t start;	   /* first byte of buf not yet returned */
	size_t len;	   /* bytes held in buf */
	unsigned failures; /* consecutive failed reads */
	char buf[CMD_LINE_MAX * 2];
};

/* clang-format off */
#define CMD_READER_INIT {.fd = 0}
/* clang-format on */

/**
 * cmd_read_line() - block until a whole line arrives.
 * Return: the line without its newline (valid until the next call), or
 * NULL at end of input (or after many failing reads in a row).
 */
char *cmd_read_line(struct cmd_reader *r);

/**
 * cmd_poll_line() - like cmd_read_line() but never blocks: reads what is
 * available (if anything) and returns a line if a whole one is buffered.
 * Return: a line, NULL if none yet; sets *ret_eof at end of input.
 */
char *cmd_poll_line(struct cmd_reader *r, int *ret_eof);

/** say() - print one answer line and flush it. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * cmd_handler - answers one command: @word is the first word of @line, @n
 * the integer after it (0 if none).  Return: false for an unknown word.
 */
typedef bool (*cmd_handler)(const char *word, int n, const char *line);

/**
 * cmd_serve() - the main loop of a target: say "ready", hand each line to
 * @handle until end of input or "quit", say "bye".  Unknown words get
 * "ERR unknown command 'WORD'".  Return: the exit status for main().
 */
int cmd_serve(cmd_handler handle);

/** cmd_setup() - line-buffer stdout; call first in main(). */
void cmd_setup(void);

#endif
