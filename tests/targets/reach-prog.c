/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reach-prog.c - the target of the reach test (libreach.so) and itself a
 * target: prog_bump() uses a static variable of the executable.
 *
 *   bump N   -> "bump R"     reach_bump(N)
 *   calc N   -> "calc R"     reach_calc(N)
 *   tls A B  -> "tls X Y"    two threads set their TLS to A and B, both
 *                            waiting for each other, then each reports
 *                            reach_tls_get()
 *   check N  -> "check R"    reach_check(N)
 *   limit N  -> "limit D P"  reach_limited(N), reach_limit_ptr(N)
 *   events   -> "events R"   reach_events_get()
 *   forget   -> "forgot"     reach_events_reset()
 *   hooked N -> "hooked R"   reach_hooked(N)
 *   prog N   -> "prog R"     prog_bump(N)
 *   hold     -> "held"       a thread calls reach_hooked(-1) and stays in it
 *   release  -> "released"   ... until this
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "libs.h"

static int prog_counter = 5;

__attribute__((noinline)) int prog_bump(int n)
{
	prog_counter += n;
	return prog_counter;
}

struct tls_job {
	int value;
	int seen;
	pthread_barrier_t *both_set;
};

static void *tls_worker(void *arg)
{
	struct tls_job *j = arg;
	reach_tls_set(j->value);
	/* Both threads have set their own value before either reads. */
	pthread_barrier_wait(j->both_set);
	j->seen = reach_tls_get();
	return NULL;
}

static void tls_command(const char *line)
{
	int a = 0, b = 0;
	pthread_barrier_t both;
	pthread_t t[2];
	if (sscanf(line, "tls %d %d", &a, &b) != 2) {
		say("ERR usage: tls A B");
		return;
	}
	pthread_barrier_init(&both, NULL, 2);
	struct tls_job jobs[2] = { { a, 0, &both }, { b, 0, &both } };
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, tls_worker, &jobs[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&both);
	say("tls %d %d", jobs[0].seen, jobs[1].seen);
}

static pthread_t holder;

static void *hold_worker(void *arg)
{
	(void)arg;
	reach_hooked(-1);
	return NULL;
}

static bool command_run(const char *word, int n, const char *line)
{
	if (strcmp(word, "bump") == 0)
		say("bump %d", reach_bump(n));
	else if (strcmp(word, "calc") == 0)
		say("calc %d", reach_calc(n));
	else if (strcmp(word, "tls") == 0)
		tls_command(line);
	else if (strcmp(word, "check") == 0)
		say("check %d", reach_check(n));
	else if (strcmp(word, "limit") == 0)
		say("limit %d %d", reach_limited(n), reach_limit_ptr(n));
	else if (strcmp(word, "events") == 0)
		say("events %d", reach_events_get());
	else if (strcmp(word, "forget") == 0) {
		reach_events_reset();
		say("forgot");
	} else if (strcmp(word, "hooked") == 0)
		say("hooked %d", reach_hooked(n));
	else if (strcmp(word, "prog") == 0)
		say("prog %d", prog_bump(n));
	else if (strcmp(word, "hold") == 0) {
		reach_hold_set(1);
		pthread_create(&holder, NULL, hold_worker, NULL);
		say("held");
	} else if (strcmp(word, "release") == 0) {
		reach_hold_set(0);
		pthread_join(holder, NULL);
		say("released");
	} else
		return false;
	return true;
}

int main(void)
{
	cmd_setup();
	return cmd_serve(command_run);
}
