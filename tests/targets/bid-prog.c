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

int main(void)
{
	struct cmd_reader r = CMD_READER_INIT;
	char *line, word[32];
	int n;

	cmd_setup();
	say("ready");
	while ((line = cmd_read_line(&r))) {
		n = 0;
		if (sscanf(line, "%31s %d", word, &n) < 1)
			continue;
		if (strcmp(word, "bid") == 0)
			say("bid %d", bid_value(n));
		else if (strcmp(word, "quit") == 0)
			break;
		else
			say("ERR unknown command '%s'", word);
	}
	say("bye");
	return 0;
}
