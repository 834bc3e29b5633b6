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

static bool command_run(const char *word, int n, const char *line)
{
	(void)line;
	if (strcmp(word, "many") == 0)
		say("many %d", many_value(n));
	else
		return false;
	return true;
}

int main(void)
{
	cmd_setup();
	return cmd_serve(command_run);
}
