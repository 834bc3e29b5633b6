/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * busy-prog.c - one worker calls busy_for() in a loop (about a millisecond
 * a call), so it is inside that function nearly all the time.  Commands:
 *   value  -> "value V": what the worker's latest completed call returned
 *   calls  -> "calls N": how many calls completed so far
 */
#include <pthread.h>
#include <string.h>

#include "cmd.h"
#include "libs.h"

#define BUSY_ITERATIONS 400000u

static int latest;
static unsigned long completed;

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		int v = busy_for(BUSY_ITERATIONS);
		__atomic_store_n(&latest, v, __ATOMIC_RELEASE);
		__atomic_add_fetch(&completed, 1, __ATOMIC_ACQ_REL);
	}
	return NULL;
}

static bool command_run(const char *word, int n, const char *line)
{
	(void)n;
	(void)line;
	if (strcmp(word, "value") == 0) {
		/* A call that started after the question: its answer is current. */
		unsigned long from = __atomic_load_n(&completed, __ATOMIC_ACQUIRE);
		while (__atomic_load_n(&completed, __ATOMIC_ACQUIRE) < from + 2)
			continue;
		say("value %d", __atomic_load_n(&latest, __ATOMIC_ACQUIRE));
	} else if (strcmp(word, "calls") == 0) {
		say("calls %lu", __atomic_load_n(&completed, __ATOMIC_ACQUIRE));
	} else {
		return false;
	}
	return true;
}

int main(void)
{
	pthread_t t;
	cmd_setup();
	if (pthread_create(&t, NULL, worker, NULL) != 0) {
		say("ERR pthread_create");
		return 1;
	}
	return cmd_serve(command_run);
}
