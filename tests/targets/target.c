/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * target.c - the general test target.  Built with patchable entries itself
 * (exe_value() is patched in the executable) and linked with the test
 * libraries.  Prints "ready", then answers one line per command:
 *
 *   plain N  -> "plain R"    plain_value(N)
 *   bsym N   -> "bsym R"     bsym_outer(N): internal call to bsym_inner()
 *   bsymi N  -> "bsymi R"    bsym_inner(N) called from here
 *   cet N    -> "cet R"      cet_value(N)
 *   rec N    -> "rec R"      rec_sum(N)
 *   exe N    -> "exe R"      exe_value(N), a function of this executable
 *   args K   -> "args R old O new W"  args_sum() of args_fill(K), and the
 *               checksums the old and the new version must return
 *   libs     -> "lib NAME" for each loaded object that has a name (as the
 *               dynamic loader records it, which is what debuggers open),
 *               then "libs end"
 *   pid      -> "pid P"
 *   become N -> "became N": drops to uid and gid N with no supplementary
 *               groups, as a daemon started as root does; the kernel then
 *               makes the process not dumpable
 *   watch N  -> "watching": a thread calls plain_value(N) in a tight loop
 *               and records each value that differs from the one before
 *   seen     -> "seen V1 V2 ... calls C": stops that thread; the values in
 *               the order they were first answered after each change
 *   quit     -> "bye", exits
 */
#include <errno.h>
#include <grp.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cmd.h"
#include "libs.h"

int exe_value(int n);

/* noipa: the compiler must neither inline it into main() nor clone it
 * for a known argument; the patch replaces this very function. */
__attribute__((noipa)) int exe_value(int n)
{
	return n + 7;
}

static void do_args(int k)
{
	int a[ARGS_NINT];
	double d[ARGS_NDBL];
	long long r;

	args_fill(k, a, d);
	r = args_sum(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], d[0], d[1], d[2], d[3], d[4], d[5],
		     d[6], d[7]);
	say("args %lld old %lld new %lld", r, args_checksum_old(a, d), args_checksum_new(a, d));
}

static int lib_print(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	if (info->dlpi_name && info->dlpi_name[0])
		say("lib %s", info->dlpi_name);
	return 0;
}

static void do_libs(void)
{
	dl_iterate_phdr(lib_print, NULL);
	say("libs end");
}

static void do_become(int id)
{
	if (setgroups(0, NULL) < 0 || setresgid((gid_t)id, (gid_t)id, (gid_t)id) < 0 ||
	    setresuid((uid_t)id, (uid_t)id, (uid_t)id) < 0)
		say("ERR become %d: %s", id, strerror(errno));
	else
		say("became %d", id);
}

/* watch/seen: every change of plain_value()'s answer, as a caller in a
 * tight loop sees it while patches come and go. */
#define WATCH_MAX 64
static struct {
	pthread_t thread;
	atomic_bool stop;
	bool running;
	int arg, n, values[WATCH_MAX];
	unsigned long long calls;
} watch;

static void *watch_loop(void *unused)
{
	(void)unused;
	int last = plain_value(watch.arg);
	watch.values[watch.n++] = last;
	while (!atomic_load_explicit(&watch.stop, memory_order_relaxed)) {
		int v = plain_value(watch.arg);
		watch.calls++;
		if (v != last && watch.n < WATCH_MAX)
			watch.values[watch.n++] = v;
		last = v;
	}
	return NULL;
}

static void do_watch(int n)
{
	if (watch.running) {
		say("ERR already watching");
		return;
	}
	watch.arg = n;
	watch.n = 0;
	watch.calls = 0;
	atomic_store(&watch.stop, false);
	if (pthread_create(&watch.thread, NULL, watch_loop, NULL) != 0) {
		say("ERR pthread_create");
		return;
	}
	watch.running = true;
	say("watching");
}

static void do_seen(void)
{
	char line[WATCH_MAX * 12 + 64];
	size_t len = 0;
	if (!watch.running) {
		say("ERR not watching");
		return;
	}
	atomic_store(&watch.stop, true);
	pthread_join(watch.thread, NULL);
	watch.running = false;
	for (int i = 0; i < watch.n; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %d", watch.values[i]);
	say("seen%s calls %llu", line, watch.calls);
}

static bool command_run(const char *word, int n, const char *line)
{
	(void)line;
	if (strcmp(word, "plain") == 0)
		say("plain %d", plain_value(n));
	else if (strcmp(word, "bsym") == 0)
		say("bsym %d", bsym_outer(n));
	else if (strcmp(word, "bsymi") == 0)
		say("bsymi %d", bsym_inner(n));
	else if (strcmp(word, "cet") == 0)
		say("cet %d", cet_value(n));
	else if (strcmp(word, "rec") == 0)
		say("rec %d", rec_sum(n));
	else if (strcmp(word, "exe") == 0)
		say("exe %d", exe_value(n));
	else if (strcmp(word, "args") == 0)
		do_args(n);
	else if (strcmp(word, "libs") == 0)
		do_libs();
	else if (strcmp(word, "pid") == 0)
		say("pid %d", (int)getpid());
	else if (strcmp(word, "become") == 0)
		do_become(n);
	else if (strcmp(word, "watch") == 0)
		do_watch(n);
	else if (strcmp(word, "seen") == 0)
		do_seen();
	else
		return false;
	return true;
}

int main(void)
{
	cmd_setup();
	return cmd_serve(command_run);
}
