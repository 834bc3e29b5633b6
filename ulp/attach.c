/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arch/arch.h"
#include "libpulp/ulp-errors.h"
#include "ulp/attach.h"
#include "ulp/proc.h"

uint64_t clock_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ulp's own policy, asked once (a fleet worker boosts once per process). */
static int boost_saved_policy = -1;
static struct sched_param boost_saved_param;
static bool boosted;

void controller_boost(void)
{
	struct sched_param fifo = { .sched_priority = 1 };
	if (boost_saved_policy < 0) {
		int policy = sched_getscheduler(0);
		if (policy < 0 || sched_getparam(0, &boost_saved_param) < 0)
			return;
		boost_saved_policy = policy;
	}
	boosted = sched_setscheduler(0, SCHED_FIFO, &fifo) == 0;
}

void controller_unboost(void)
{
	if (boosted)
		sched_setscheduler(0, boost_saved_policy, &boost_saved_param);
	boosted = false;
}

struct thread *process_thread(struct process *p, pid_t tid)
{
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	return NULL;
}

size_t process_live_threads(const struct process *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nthreads; i++)
		n += !p->threads[i].gone;
	return n;
}

static struct thread *thread_add(struct process *p, pid_t tid)
{
	if (p->nthreads == p->alloc) {
		size_t alloc = p->alloc ? 2 * p->alloc : 16;
		struct thread *t = realloc(p->threads, alloc * sizeof(*t));
		if (!t)
			return NULL;
		p->threads = t;
		p->alloc = alloc;
	}
	struct thread *t = &p->threads[p->nthreads++];
	*t = (struct thread){ .tid = tid };
	return t;
}

/*
 * Seize every thread not held yet.  A thread that exits between the
 * listing and the seize is simply not there (ESRCH).
 * Return: number of threads newly seized, or a negative code.
 */
static int threads_seize_new(struct process *p, bool and_stop, int timeout_ms)
{
	pid_t *tids;
	size_t n;
	int r = proc_tasks(p->pid, &tids, &n);
	if (r < 0)
		return r;
	int added = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (process_thread(p, tids[i]))
			continue;
		/* System call stops (only a thread we run with PTRACE_SYSCALL
		 * has them) say so in their stop signal. */
		if (ptrace(PTRACE_SEIZE, tids[i], NULL, (void *)(long)PTRACE_O_TRACESYSGOOD) < 0) {
			/* A thread that is exiting, and a main thread that called
			 * pthread_exit(), are zombies: the kernel refuses to seize
			 * them (EPERM), and they run no code. */
			if (errno != ESRCH && !(errno == EPERM && proc_task_dead(p->pid, tids[i])))
				r = -errno;
			continue;
		}
		struct thread *t = thread_add(p, tids[i]);
		if (!t) {
			r = -ENOMEM;
			break;
		}
		added++;
		if (and_stop)
			r = thread_stop(p, t, timeout_ms);
	}
	free(tids);
	return r < 0 ? r : added;
}

int process_attach(const struct remote *mem, struct process *ret_p)
{
	struct process p = PROCESS_INIT;
	p.pid = mem->pid;
	int r = remote_dup(mem, &p.mem);
	if (r < 0)
		return r;
	/* Threads may be created while we seize: list again until a pass
	 * finds no thread we do not hold. */
	while ((r = threads_seize_new(&p, false, 0)) > 0)
		;
	if (r == 0 && process_live_threads(&p) == 0)
		r = -ESRCH;
	if (r < 0) {
		process_detach(&p);
		return r;
	}
	*ret_p = p;
	return 0;
}

/* A system call stop of a thread run with PTRACE_SYSCALL (borrowed, or
 * let run out): no signal, whatever WSTOPSIG() says. */
static bool stop_is_syscall(int status)
{
	return WIFSTOPPED(status) && WSTOPSIG(status) == (SIGTRAP | 0x80);
}

/* Record what a wait status says about @t. Return 1 if @t is now stopped,
 * 0 if it is gone.  A system call stop carries no signal; whether our
 * interrupt is still pending behind it is thread_stop()'s to settle. */
void thread_running(struct thread *t)
{
	t->stopped = false;
	t->no_eintr = false;
}

int thread_peek_ip(struct thread *t, uint64_t *ret_ip)
{
	struct arch_regs r = ARCH_REGS_INIT;
	int e = arch_regs_save_gp(t->tid, &r);
	if (e < 0)
		return e;
	*ret_ip = arch_regs_ip(&r);
	t->no_eintr = !arch_regs_eintr_restart(&r);
	return 0;
}

static int thread_note_status(struct thread *t, int status)
{
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		t->gone = true;
		thread_running(t);
		return 0;
	}
	t->stopped = true;
	if (status >> 16 != PTRACE_EVENT_STOP && !stop_is_syscall(status)) {
		/* A signal-delivery stop: the signal goes on at resume, and
		 * our interrupt is still pending behind it. */
		t->sig = WSTOPSIG(status);
		t->trap_pending = true;
	}
	return 1;
}

static void alarm_wake(int sig)
{
	(void)sig; /* only to make a blocking waitpid() return EINTR */
}

/*
 * Block in waitpid() for @tid, at most @timeout_us: a timer signal whose
 * handler does nothing interrupts the wait (no SA_RESTART).  Blocking
 * instead of polling wakes the controller the moment the thread stops.
 */
static pid_t waitpid_bounded(pid_t tid, int *status, uint64_t timeout_us)
{
	struct sigaction sa = { .sa_handler = alarm_wake }, old_sa;
	struct itimerval it = { .it_value = { .tv_sec = (time_t)(timeout_us / 1000000),
					      .tv_usec = (suseconds_t)(timeout_us % 1000000) } };
	struct itimerval off = { 0 };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);
	setitimer(ITIMER_REAL, &it, NULL);
	pid_t w = waitpid(tid, status, __WALL);
	int saved = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	errno = saved;
	return w;
}

/* Wait, bounded, for @t's next state change (a stop or its exit). */
int thread_wait_event(struct process *p, struct thread *t, int timeout_ms, int *ret_status)
{
	uint64_t deadline = clock_us() + (uint64_t)timeout_ms * 1000u;
	(void)p;
	for (;;) {
		int status;
		uint64_t now = clock_us();
		/* Usually the thread has stopped already: no timer for that. */
		pid_t w = waitpid(t->tid, &status, __WALL | WNOHANG);
		if (w == 0)
			w = now < deadline ? waitpid_bounded(t->tid, &status, deadline - now) : -1;
		if (w == t->tid) {
			*ret_status = status;
			return 0;
		}
		if (w < 0 && errno != EINTR && now < deadline) {
			t->gone = true;
			return -ESRCH;
		}
		if (clock_us() >= deadline)
			return -ULP_E_TIMEOUT;
	}
}

/* Ask a running thread to stop, once: a second interrupt would stay
 * pending and stop the thread again right after we resume it. */
static int thread_interrupt(struct thread *t)
{
	if (t->gone || t->stopped || t->interrupted)
		return 0;
	if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0) {
		if (errno == ESRCH) {
			t->gone = true;
			return 0;
		}
		return -errno;
	}
	t->interrupted = true;
	return 0;
}

/* Wait (bounded) for the stop an interrupt sent to @t asked for. */
static int thread_wait_stop(struct process *p, struct thread *t, int timeout_ms, int *ret_status)
{
	int r = thread_wait_event(p, t, timeout_ms, ret_status);
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	t->interrupted = false;
	thread_note_status(t, *ret_status);
	return 0;
}

int thread_stop(struct process *p, struct thread *t, int timeout_ms)
{
	int r = thread_interrupt(t);
	if (r < 0 || t->gone || t->stopped)
		return r;
	int status = 0;
	r = thread_wait_stop(p, t, timeout_ms, &status);
	if (r < 0 || !t->stopped || !stop_is_syscall(status))
		return r;
	/*
	 * A thread run with PTRACE_SYSCALL stopped at a system call.  Any
	 * ptrace stop it takes after PTRACE_INTERRUPT consumes the interrupt,
	 * one it took just before leaves it pending, and nothing tells which.
	 * Interrupt it again (then one is pending either way) and let it take
	 * that: it ends in an ordinary interrupt stop with nothing pending,
	 * which is what every caller expects.  From an exit stop nothing of
	 * the program runs meanwhile; from an entry stop the system call is
	 * made first, as if the interrupt had come a moment later.
	 */
	if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0 || ptrace(PTRACE_CONT, t->tid, NULL, NULL) < 0) {
		if (errno != ESRCH)
			return -errno;
		t->gone = true;
		thread_running(t);
		return 0;
	}
	thread_running(t);
	t->interrupted = true;
	return thread_wait_stop(p, t, timeout_ms, &status);
}

int thread_syscall_cont(struct thread *t)
{
	if (ptrace(PTRACE_SYSCALL, t->tid, NULL, NULL) < 0)
		return -errno;
	thread_running(t);
	return 0;
}

int thread_syscall_until(struct process *p, struct thread *t, syscall_match match, void *data, int timeout_ms,
			 struct arch_regs *ret_at)
{
	uint64_t deadline = clock_us() + (uint64_t)timeout_ms * 1000u;
	for (;;) {
		int status, r;
		uint64_t now = clock_us();
		int left_ms = now < deadline ? (int)((deadline - now + 999) / 1000) : 0;
		if (left_ms == 0 || process_service(p, t->tid, left_ms, &status) != 1) {
			if (clock_us() >= deadline)
				return 0;
			continue;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			t->gone = true;
			return -ULP_E_EXITED;
		}
		t->stopped = true;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			if ((r = arch_regs_save_gp(t->tid, ret_at)) < 0)
				return r;
			if (match(ret_at, data))
				return 1;
		} else if (status >> 16 != PTRACE_EVENT_STOP) {
			t->sig = WSTOPSIG(status);
			return 2;
		}
		/* Its own system calls, or a leftover interrupt: go on. */
		if ((r = thread_syscall_cont(t)) < 0)
			return r;
	}
}

int thread_eintr_undo(struct process *p, struct thread *t, struct arch_regs *regs)
{
	struct arch_regs own = ARCH_REGS_INIT;
	struct arch_regs *r = regs ? regs : &own;
	if (!regs && t->no_eintr)
		return 0; /* seen in this stop already (thread_peek_ip()) */
	if (!regs && arch_regs_save_gp(t->tid, &own) < 0)
		return 0; /* gone: nothing to resume */
	struct arch_regs changed = *r;
	if (!arch_regs_eintr_restart(&changed))
		return 0;
	/* A signal that will run a handler is a real cause: leave the EINTR. */
	if (proc_signal_pending(p->pid, t->tid) != 0)
		return 0;
	if (!regs && arch_regs_restore(t->tid, &changed) < 0)
		return -errno;
	*r = changed;
	return 1;
}

int thread_resume(struct process *p, struct thread *t)
{
	if (t->gone || !t->stopped)
		return 0;
	if (!t->sig)
		thread_eintr_undo(p, t, NULL);
	if (ptrace(PTRACE_CONT, t->tid, NULL, (void *)(long)t->sig) < 0) {
		if (errno == ESRCH) {
			t->gone = true;
			return 0;
		}
		return -errno;
	}
	thread_running(t);
	t->sig = 0;
	if (t->trap_pending) {
		/* Our interrupt fires right after the signal is set up: take
		 * that stop too, so the thread really runs. */
		t->trap_pending = false;
		int status;
		if (thread_wait_event(p, t, 1000, &status) == 0 && thread_note_status(t, status) && t->stopped)
			return thread_resume(p, t);
	}
	return 0;
}

int process_stop(struct process *p, int timeout_ms)
{
	int r = 0;
	for (size_t i = 0; i < p->nthreads && r == 0; i++)
		r = thread_interrupt(&p->threads[i]);
	for (size_t i = 0; i < p->nthreads && r == 0; i++)
		r = thread_stop(p, &p->threads[i], timeout_ms);
	/* Threads created before the stop took effect: seize and stop them,
	 * until a full listing shows none we do not hold. */
	while (r == 0 && (r = threads_seize_new(p, true, timeout_ms)) > 0)
		r = 0;
	if (r == 0 && process_live_threads(p) == 0)
		r = -ULP_E_EXITED;
	return r < 0 ? r : 0;
}

int process_resume(struct process *p)
{
	int r = 0;
	for (size_t i = 0; i < p->nthreads; i++) {
		int q = thread_resume(p, &p->threads[i]);
		if (q < 0 && r == 0)
			r = q;
	}
	return r;
}

int process_service(struct process *p, pid_t want, int timeout_ms, int *ret_status)
{
	uint64_t deadline = clock_us() + (uint64_t)timeout_ms * 1000u;
	for (;;) {
		int status;
		uint64_t now = clock_us();
		if (now >= deadline)
			return 0;
		pid_t w = waitpid_bounded(-1, &status, deadline - now);
		if (w < 0 && errno == EINTR)
			continue; /* the timer: the loop head sees the deadline */
		if (w <= 0)
			return 0;
		if (w == want) {
			*ret_status = status;
			return 1;
		}
		struct thread *t = process_thread(p, w);
		if (!t || !thread_note_status(t, status))
			continue;
		/* Not ours to keep: pass its signal on at once. */
		t->trap_pending = false;
		thread_resume(p, t);
	}
}

void process_detach(struct process *p)
{
	/* PTRACE_DETACH needs a stopped tracee; stop what runs, then let go,
	 * handing each thread the signal it was stopped with.  With every
	 * thread already stopped none can have been created since: no need
	 * to list them again (that listing would lengthen the pause). */
	bool all_stopped = true;
	for (size_t i = 0; i < p->nthreads; i++)
		all_stopped &= p->threads[i].stopped || p->threads[i].gone;
	if (p->nthreads && !all_stopped)
		process_stop(p, 1000);
	for (size_t i = 0; i < p->nthreads; i++) {
		struct thread *t = &p->threads[i];
		if (t->gone)
			continue;
		if (!t->sig)
			thread_eintr_undo(p, t, NULL);
		ptrace(PTRACE_DETACH, t->tid, NULL, (void *)(long)t->sig);
	}
	free(p->threads);
	remote_close(&p->mem);
	*p = (struct process)PROCESS_INIT;
}
