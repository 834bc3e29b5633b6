/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <string.h>

#include "ulp/interrupt.h"

#define MAX_FORWARD 256 /* the most fleet workers */

static volatile sig_atomic_t signo;
static pid_t forward[MAX_FORWARD];
static volatile sig_atomic_t nforward;

static void on_signal(int sig)
{
	if (!signo)
		signo = sig;
	for (sig_atomic_t i = 0; i < nforward; i++)
		if (forward[i] > 0)
			kill(forward[i], sig);
}

void interrupt_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int interrupted(void)
{
	return signo;
}

int interrupt_take(void)
{
	int sig = signo;
	signo = 0;
	return sig;
}

void interrupt_forward_to(const pid_t *pids, size_t n)
{
	nforward = 0;
	n = n < MAX_FORWARD ? n : MAX_FORWARD;
	for (size_t i = 0; i < n; i++)
		forward[i] = pids[i];
	nforward = (sig_atomic_t)n;
}

void interrupt_forward_remove(pid_t pid)
{
	for (sig_atomic_t i = 0; i < nforward; i++)
		if (forward[i] == pid)
			forward[i] = 0;
}

void interrupt_hold(sigset_t *ret_old)
{
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTSTP);
	sigaddset(&stops, SIGTTIN);
	sigaddset(&stops, SIGTTOU);
	sigprocmask(SIG_BLOCK, &stops, ret_old);
}

void interrupt_release(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}
