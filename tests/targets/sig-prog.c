/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sig-prog.c - single-threaded target that counts real-time signals.
 *
 * SIGRTMIN has a handler that counts its deliveries.  Real-time signals
 * queue (one delivery per signal sent), so the count must end up equal to
 * the number sent, however many arrive while ulp has the thread borrowed.
 * The process has one thread, so the borrowed thread is the one receiving
 * the signals.  The handler is installed with SA_RESTART: the command read
 * is restarted after it, so any "ERR read: ..." comes from ulp, not from
 * this program's own handler.
 *
 *   plain N  -> "plain R"    plain_value(N)
 *   count    -> "count C"    SIGRTMIN deliveries so far
 *   quit     -> "bye", exits
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "libs.h"

static volatile sig_atomic_t deliveries;

static void on_rtmin(int sig)
{
	(void)sig;
	deliveries++;
}

static bool command_run(const char *word, int n, const char *line)
{
	(void)line;
	if (strcmp(word, "plain") == 0)
		say("plain %d", plain_value(n));
	else if (strcmp(word, "count") == 0)
		say("count %ld", (long)deliveries);
	else
		return false;
	return true;
}

int main(void)
{
	struct sigaction sa;

	cmd_setup();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_rtmin;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN, &sa, NULL) < 0) {
		say("ERR sigaction failed");
		return 1;
	}
	return cmd_serve(command_run);
}
