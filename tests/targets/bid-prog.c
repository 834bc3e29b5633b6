/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bid-prog.c - loads libbid.so build A.  A patch packed against build B
 * (same name and code, another build-id) must be skipped.
 *   bid N -> "bid R"; quit -> "bye"
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "libs.h"

static bool command_run(const char *word, int n, const char *line)
{
	(void)line;
	if (strcmp(word, "bid") != 0)
		return false;
	say("bid %d", bid_value(n));
	return true;
}

int main(void)
{
	cmd_setup();
	return cmd_serve(command_run);
}
