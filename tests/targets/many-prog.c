/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * many-prog.c - the target of trigger-many: the only program that loads
 * libmany.so, so a trigger of its patch on every process (no -p) patches
 * these and skips any other process that has the runtime loaded.
 *
 *   many N  -> "many R"    many_value(N)
 *   quit    -> "bye", exits
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "libs.h"

static int command_run(const char *line)
{
	char word[32];
	int n = 0;

	if (sscanf(line, "%31s %d", word, &n) < 1)
		return 0;
	if (strcmp(word, "many") == 0)
		say("many %d", many_value(n));
	else if (strcmp(word, "quit") == 0)
		return 1;
	else
		say("ERR unknown command '%s'", word);
	return 0;
}

int main(void)
{
	struct cmd_reader r = CMD_READER_INIT;
	char *line;

	cmd_setup();
	say("ready");
	while ((line = cmd_read_line(&r)))
		if (command_run(line))
			break;
	say("bye");
	return 0;
}
