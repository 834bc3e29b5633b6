/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch.c - apply or revert a live patch in one process.
 *
 * Load, then activate (DESIGN.md section 4): a borrowed thread loads the
 * patch and prepares the exact bytes to write while the rest of the
 * process runs; then every thread stops, the controller checks that no
 * thread is executing a patch site, writes the prepared bytes through
 * /proc/PID/mem and lets everything go.  Nothing of the target runs while
 * it is stopped, so nothing can deadlock there.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arch.h"
#include "libpulp/ulp-errors.h"
#include "ulp/attach.h"
#include "ulp/borrow.h"
#include "ulp/fault.h"
#include "ulp/hijack.h"
#include "ulp/interrupt.h"
#include "ulp/log.h"
#include "ulp/objects.h"
#include "ulp/patch.h"
#include "ulp/proc.h"
#include "ulp/run-out.h"
#include "ulp/runtime.h"
#include "ulp/stack-check.h"
#include "ulp/target-path.h"

#define BACKOFF_START_US 1000
#define BACKOFF_MAX_US	 100000
/* Threads let run out of replaced functions per stop, and how long each:
 * long enough for a function to return, short against the pause. */
#define RUN_OUT_MAX 8
#define RUN_OUT_MS  2

int patch_file_open(const char *path, struct patch_file *ret_pf)
{
	struct patch_file pf = PATCH_FILE_INIT;
	pf.path = realpath(path, NULL);
	if (!pf.path)
		return -errno;
	/* Checked before it is even read: a file others could change is
	 * refused unless the command said --force (ulp/trust.h). */
	int r = trust_enforce(pf.path);
	if (r == 0)
		r = container_read(pf.path, &pf.c);
	if (r < 0) {
		patch_file_release(&pf);
		return r;
	}
	*ret_pf = pf;
	return 0;
}

void patch_file_release(struct patch_file *pf)
{
	free(pf->path);
	pf->path = NULL;
	container_release(&pf->c);
}

/* Everything one trigger holds; released in one place. */
struct trigger {
	pid_t pid;
	const struct patch_file *pf;
	const struct trigger_opts *o;
	struct trigger_report *rep;
	struct runtime_view v;
	struct process proc;
	struct txn txn;
	struct stack_checker *sc;  /* walks stacks: for borrowing, then for the switch */
	struct stack_finding last; /* why the last stop was not consistent */
	uint64_t deadline;
	char path[PATH_MAX]; /* the patch file as the process opens it */
};

__attribute__((format(printf, 4, 5))) static int report(struct trigger *tr, enum trigger_outcome outcome, int code,
							const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tr->rep->msg, sizeof(tr->rep->msg), fmt, ap);
	va_end(ap);
	tr->rep->outcome = outcome;
	tr->rep->code = code;
	return code < 0 ? code : -1;
}

/*
 * The kernel refused ulp the process.  A process that changed its user or
 * group after it started (a daemon dropping root) is not dumpable: its
 * own user may not trace it either, only root (CAP_SYS_PTRACE).
 */
static int report_not_permitted(struct trigger *tr)
{
	struct proc_creds c;
	uid_t me = geteuid();
	if (me == 0 || proc_creds(tr->pid, &c) < 0)
		return report(tr, OUTCOME_FAILED, -EPERM,
			      "cannot access process %d: operation not permitted; run ulp as root or as the "
			      "process's owner",
			      tr->pid);
	if (c.euid == me && c.proc_owner != c.euid)
		return report(tr, OUTCOME_FAILED, -EPERM,
			      "cannot access process %d: operation not permitted: it runs as uid %u like ulp, but it "
			      "changed its user or group after it started, which makes it not dumpable, and only "
			      "root may trace such a process; run ulp as root",
			      tr->pid, (unsigned)c.euid);
	return report(tr, OUTCOME_FAILED, -EPERM,
		      "cannot access process %d: operation not permitted: it runs as uid %u, ulp as uid %u; run "
		      "ulp as root%s",
		      tr->pid, (unsigned)c.euid, (unsigned)me,
		      c.proc_owner == c.euid ? " or as the process's owner" : " (the process is not dumpable)");
}

static int access_error(struct trigger *tr, int r)
{
	if (r == -ESRCH)
		return report(tr, OUTCOME_FAILED, r, "no such process %d: check the pid", tr->pid);
	if (r == -EPERM || r == -EACCES) {
		pid_t tracer = proc_tracer(tr->pid);
		if (tracer > 0)
			return report(tr, OUTCOME_FAILED, -EPERM,
				      "cannot attach to process %d: it is traced by process %d (a debugger or another "
				      "ulp); retry when it is done",
				      tr->pid, tracer);
		return report_not_permitted(tr);
	}
	return report(tr, OUTCOME_FAILED, r, "cannot access process %d: %s", tr->pid, ulp_strerror(r));
}

/*
 * --revert-all: what is applied on that object now (in @reg, which is
 * then that list), oldest first, for an --all-or-nothing undo.  Without a
 * patch file, nothing applied there is nothing to do; nor is a patch
 * applied again with no other there.
 */
static int inspect_revert_all(struct trigger *tr, struct registry *reg)
{
	struct trigger_report *rep = tr->rep;
	int r = registry_keep_applied_on(&tr->v.mem, reg, tr->o->revert_all, tr->pf ? tr->pf->c.digest : NULL);
	if (r < 0)
		return report(tr, OUTCOME_FAILED, r, "cannot read the patch registry of process %d: %s", tr->pid,
			      ulp_strerror(r));
	rep->prior_complete = reg->n <= TRIGGER_PRIOR_MAX;
	for (rep->nprior = 0; rep->nprior < reg->n && rep->nprior < TRIGGER_PRIOR_MAX; rep->nprior++)
		memcpy(rep->prior[rep->nprior], reg->e[rep->nprior].p.id, ULP_DIGEST_LEN);
	if (!tr->pf && reg->n == 0)
		return report(tr, OUTCOME_SKIPPED, -ULP_E_NOT_APPLIED, "no live patch on '%s' is applied in process %d",
			      tr->o->revert_all, tr->pid);
	if (reg->n == 0 && rep->new_was_applied)
		return report(tr, OUTCOME_SKIPPED, -ULP_E_ALREADY_APPLIED,
			      "patch already applied in process %d, and no other on '%s'", tr->pid, tr->o->revert_all);
	return 0;
}

/* What the registry says: already done, or not there to revert? */
static int inspect_registry(struct trigger *tr, struct registry *reg)
{
	if (!tr->pf)
		return inspect_revert_all(tr, reg);
	const struct container *c = &tr->pf->c;
	uint32_t state = registry_state(reg, c->digest);
	/* With --revert-all on its own library an applied patch is applied
	 * again, as the newest, while the others go. */
	bool again = tr->o->revert_all && container_target_matches(c->target_name, tr->o->revert_all);
	if (!tr->o->revert && state == ULP_PATCH_APPLIED && !again)
		return report(tr, OUTCOME_SKIPPED, -ULP_E_ALREADY_APPLIED, "patch already applied in process %d",
			      tr->pid);
	if (tr->o->revert && state != ULP_PATCH_APPLIED)
		return report(tr, OUTCOME_SKIPPED, -ULP_E_NOT_APPLIED, "patch not applied in process %d", tr->pid);
	tr->rep->new_was_applied = state == ULP_PATCH_APPLIED;
	return tr->o->revert_all ? inspect_revert_all(tr, reg) : 0;
}

static int half_switch_undo(struct trigger *tr);

/*
 * The path the runtime is to open the patch file at: where the process,
 * from its root and as its user, finds the very file ulp checked
 * (ulp/target-path.c).  The runtime opens it only to load a patch it
 * does not hold yet; otherwise the path is for its messages.
 */
static int trigger_locate(struct trigger *tr, const struct registry *reg)
{
	const struct patch_file *pf = tr->pf;
	char why[sizeof(tr->rep->msg)];
	if (!pf)
		return 0;
	snprintf(tr->path, sizeof(tr->path), "%s", pf->path);
	if (tr->o->revert || registry_state(reg, pf->c.digest) != 0)
		return 0;
	int r = target_path_find(tr->pid, pf->path, tr->path, sizeof(tr->path), why, sizeof(why));
	return r < 0 ? report(tr, OUTCOME_FAILED, r, "%s", why) : 0;
}

/* Before touching the process: is there anything to do, and can we? */
static int trigger_inspect(struct trigger *tr)
{
	const struct container *c = tr->pf ? &tr->pf->c : NULL;
	int r = runtime_view_open(tr->pid, &tr->v);
	if (r == -ULP_E_NO_RUNTIME)
		return report(tr, OUTCOME_FAILED, r,
			      "process %d has no live patching runtime: start it with LD_PRELOAD=/path/to/libpulp.so",
			      tr->pid);
	if (r == -ULP_E_ABI)
		return report(tr, OUTCOME_FAILED, r,
			      "the runtime of process %d has another ABI version: use the ulp "
			      "that matches its libpulp.so",
			      tr->pid);
	if (r < 0)
		return access_error(tr, r);
	/* The registry is only right once a half-made switch is undone. */
	if ((r = half_switch_undo(tr)) < 0)
		return r;
	if (!tr->v.rt.state.enabled) {
		const char *by = runtime_disabled_by_text(runtime_disabled_by(&tr->v.rt.state));
		return report(tr, OUTCOME_SKIPPED, -ULP_E_DISABLED,
			      "live patching is disabled in process %d%s%s%s; 'ulp set_patchable enable' turns it on",
			      tr->pid, by ? " (by " : "", by ? by : "", by ? ")" : "");
	}

	if (tr->pf) {
		r = object_find(&tr->v.mem, &tr->v.maps, c->target_name, c->buildid, c->buildid_len, NULL);
		if (r == -ULP_E_BUILDID)
			return report(tr, OUTCOME_SKIPPED, r, "'%s' in process %d has another build: buildid mismatch",
				      c->target_name, tr->pid);
		if (r < 0)
			return report(tr, OUTCOME_SKIPPED, r, "target library '%s' is not loaded in process %d",
				      c->target_name, tr->pid);
	}
	struct registry reg = REGISTRY_INIT;
	r = runtime_registry_read(&tr->v.mem, &tr->v.rt, &reg);
	if (r < 0)
		return report(tr, OUTCOME_FAILED, r, "cannot read the patch registry of process %d: %s", tr->pid,
			      ulp_strerror(r));
	r = inspect_registry(tr, &reg);
	if (r == 0)
		r = trigger_locate(tr, &reg);
	registry_release(&reg);
	return r;
}

/* Refusals that mean "nothing to do here", not "something went wrong". */
static bool refusal_is_skip(int code)
{
	return code == -ULP_E_ALREADY_APPLIED || code == -ULP_E_NOT_APPLIED || code == -ULP_E_BUILDID ||
	       code == -ULP_E_TARGET_NOT_LOADED || code == -ULP_E_DISABLED;
}

/* The runtime refused: its own message says why.  A process under a
 * seccomp filter may have been refused what loading needs. */
static int report_refused(struct trigger *tr, int code)
{
	runtime_refresh(&tr->v.mem, &tr->v.rt);
	tr->v.rt.state.last_msg[ULP_MSG_MAX - 1] = '\0';
	bool filtered = !refusal_is_skip(code) && !tr->o->disable_seccomp && proc_seccomp_mode(tr->pid) == 2;
	return report(tr, refusal_is_skip(code) ? OUTCOME_SKIPPED : OUTCOME_FAILED, code,
		      "process %d refused the patch: %s%s", tr->pid,
		      tr->v.rt.state.last_msg[0] ? tr->v.rt.state.last_msg : ulp_strerror(code),
		      filtered ? " (it runs under a seccomp filter, which may forbid what loading a patch needs: "
				 "retry with --disable-seccomp)"
			       : "");
}

/* The stack checker, made once per trigger: for borrowing, then for the
 * switch.  It knows the runtime's stubs from the start. */
static int trigger_checker(struct trigger *tr)
{
	int r = 0;
	if (!tr->sc && (r = stack_checker_new(&tr->v.mem, &tr->v.maps, &tr->sc)) == 0)
		stack_checker_set_stubs(tr->sc, tr->v.rt.state.stubs_start, tr->v.rt.state.stubs_end);
	return r;
}

/*
 * Borrow a thread that holds no lock the runtime needs and make it call
 * fn_prepare(@args).  *@ret_tid is the thread, for messages.
 */
static int runtime_call(struct trigger *tr, const struct call_arg *args, int64_t *ret_result, pid_t *ret_tid)
{
	struct thread *t = NULL;
	int r = trigger_checker(tr);
	if (r == 0)
		r = borrow_ranges_set(tr->sc, tr->pid, &tr->v.mem, &tr->v.maps);
	/* A thread an earlier ulp sent into the runtime may still be in it
	 * (that ulp was killed): the runtime serves one call at a time. */
	if (r == 0)
		r = runtime_wait_idle(&tr->v.mem, &tr->v.rt, tr->deadline);
	/* Threads hold the loader's or allocator's locks only briefly: retry. */
	if (r == 0)
		while ((r = thread_borrow(&tr->proc, tr->sc, &t)) == -ULP_E_NO_THREAD && clock_us() < tr->deadline)
			usleep(10000);
	if (r < 0)
		return r;
	*ret_tid = t->tid;
	int timeout_ms = (int)((tr->deadline > clock_us() ? tr->deadline - clock_us() : 0) / 1000) + 1;
	r = thread_call(&tr->proc, t, tr->v.rt.state.stub, tr->v.rt.state.fn_prepare, args, 4,
			tr->o->disable_seccomp ? CALL_NO_SECCOMP : 0, timeout_ms, ret_result);
	thread_resume(&tr->proc, t);
	return r;
}

static int trigger_load(struct trigger *tr)
{
	uint64_t start = clock_us();
	const struct patch_file *pf = tr->pf;
	struct call_blob path = { tr->path, strlen(tr->path) + 1 };
	struct call_blob id = { pf ? pf->c.digest : NULL, ULP_DIGEST_LEN };
	struct call_blob lib = { tr->o->revert_all, tr->o->revert_all ? strlen(tr->o->revert_all) + 1 : 0 };
	struct call_arg args[] = {
		{ .value = tr->o->revert_all ? ULP_OP_REVERT_ALL
			   : tr->o->revert   ? ULP_OP_REVERT
					     : ULP_OP_APPLY },
		{ .blob = pf ? &path : NULL },
		{ .blob = pf ? &id : NULL },
		{ .blob = tr->o->revert_all ? &lib : NULL },
	};
	int64_t result = 0;
	pid_t tid = 0;
	int r = runtime_call(tr, args, &result, &tid);
	tr->rep->load_us = clock_us() - start;
	if (r < 0 && !tid)
		return report(tr, OUTCOME_FAILED, r, "cannot borrow a thread of process %d: %s", tr->pid,
			      ulp_strerror(r));
	if (r == -ULP_E_TIMEOUT)
		return report(tr, OUTCOME_INCONSISTENT, r,
			      "the runtime call in thread %d of process %d did not end within the timeout; nothing "
			      "was switched, and the thread goes back to its own work when the call ends (the patch "
			      "may be loaded by then): check 'ulp messages -p %d', and trigger again",
			      tid, tr->pid, tr->pid);
	if (r == -ULP_E_CALL_CRASHED)
		return report(tr, OUTCOME_INCONSISTENT, r,
			      "the runtime call in thread %d of process %d did not complete (%s); the process may "
			      "hold a half-loaded patch: check 'ulp messages -p %d'",
			      tid, tr->pid, ulp_strerror(r), tr->pid);
	if (r == -EPERM && tr->o->disable_seccomp)
		return report(tr, OUTCOME_FAILED, r,
			      "cannot suspend the seccomp filters of thread %d of process %d: --disable-seccomp needs "
			      "CAP_SYS_ADMIN, and ulp itself must not run under seccomp",
			      tid, tr->pid);
	if (r < 0)
		return report(tr, OUTCOME_FAILED, r, "cannot run the runtime in thread %d of process %d: %s", tid,
			      tr->pid, ulp_strerror(r));
	if (result < 0)
		return report_refused(tr, (int)result);
	tr->rep->reverted = tr->o->revert_all ? (unsigned)result : 0;
	/* Another controller changed the registry since it was inspected. */
	if (tr->o->revert_all && tr->rep->reverted != tr->rep->nprior)
		tr->rep->prior_complete = false;
	return 0;
}

/*
 * The patch declares post hooks: after the switch (or after giving it up
 * cleanly) a thread is borrowed once more to run them.  The process runs
 * the new code meanwhile; a hook that fails cannot undo the switch.
 */
static void trigger_finish(struct trigger *tr)
{
	struct call_arg args[] = { { .value = ULP_OP_FINISH }, { 0 }, { 0 }, { 0 } };
	int64_t result = 0;
	pid_t tid = 0;
	uint64_t start = clock_us();
	if (tr->deadline < start + 1000000)
		tr->deadline = start + 1000000;
	int r = process_attach(&tr->v.mem, &tr->proc);
	if (r == 0)
		r = runtime_call(tr, args, &result, &tid);
	process_detach(&tr->proc);
	tr->rep->hooks = result > 0 ? (unsigned)result : 0;
	if (r == 0 && result >= 0)
		return;
	bool switched = tr->rep->outcome == OUTCOME_PATCHED;
	char *m = tr->rep->msg;
	size_t used = strlen(m);
	snprintf(m + used, sizeof(tr->rep->msg) - used, "%scannot run the patch's %s hooks in process %d: %s",
		 used ? "; " : "", switched ? "post" : "clean-up", tr->pid, ulp_strerror(r < 0 ? r : (int)result));
	if (switched) {
		tr->rep->outcome = OUTCOME_INCONSISTENT;
		tr->rep->code = r < 0 ? r : (int)result;
	}
}

/* Whether a stopped thread executes inside a window being rewritten. */
static int txn_find_busy_thread(struct trigger *tr, pid_t *ret_tid, uint64_t *ret_ip)
{
	for (size_t i = 0; i < tr->proc.nthreads; i++) {
		struct thread *t = &tr->proc.threads[i];
		uint64_t ip;
		if (t->gone)
			continue;
		int r = thread_peek_ip(t, &ip);
		if (r < 0)
			return r;
		for (uint32_t w = 0; w < tr->txn.head.nwrites; w++) {
			const struct ulp_write *wr = &tr->txn.writes[w];
			if ((wr->flags & ULP_WRITE_TEXT) && ip >= wr->addr && ip < wr->addr + wr->len &&
			    !arch_site_ip_ok(wr->len, (uint32_t)(ip - wr->addr))) {
				*ret_tid = t->tid;
				*ret_ip = ip - wr->addr;
				return 1;
			}
		}
	}
	return 0;
}

/*
 * Execute the write set; every thread is stopped.  All @before bytes are
 * checked first, so a mismatch changes nothing; a failed write undoes
 * the ones made.  Return 0, -ULP_E_SITE_CHANGED (nothing written) or
 * another code with *ret_partial set if undoing failed too.
 */
/*
 * What the process holds now at each write of @x: *@ret_cur, an array of
 * ULP_WRITE_MAX-byte buffers.  Every address in one go: with a thousand
 * sites, a read each would double the time of the writes themselves.
 */
static int txn_read_current(const struct remote *mem, const struct txn *x, uint8_t (**ret_cur)[ULP_WRITE_MAX])
{
	uint32_t n = x->head.nwrites;
	uint8_t(*cur)[ULP_WRITE_MAX] = calloc(n ? n : 1, ULP_WRITE_MAX);
	struct remote_span *spans = calloc(n ? n : 1, sizeof(*spans));
	int r = cur && spans ? 0 : -ENOMEM;
	for (uint32_t i = 0; r == 0 && i < n; i++)
		spans[i] = (struct remote_span){ x->writes[i].addr, cur[i], x->writes[i].len };
	if (r == 0)
		r = remote_read_spans(mem, spans, n);
	free(spans);
	if (r < 0) {
		free(cur);
		return r;
	}
	*ret_cur = cur;
	return 0;
}

static int txn_execute(struct trigger *tr, bool *ret_partial)
{
	const struct txn *x = &tr->txn;
	uint32_t n = x->head.nwrites;
	uint8_t(*cur)[ULP_WRITE_MAX] = NULL;
	*ret_partial = false;
	int r = txn_read_current(&tr->proc.mem, x, &cur);
	for (uint32_t i = 0; r == 0 && i < n; i++)
		if (memcmp(cur[i], x->writes[i].before, x->writes[i].len) != 0)
			r = -ULP_E_SITE_CHANGED;
	free(cur);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < n; i++) {
		r = remote_write(&tr->proc.mem, x->writes[i].addr, x->writes[i].after, x->writes[i].len);
		if (r == 0) {
			fault_point("write");
			continue;
		}
		while (i-- > 0)
			if (remote_write(&tr->proc.mem, x->writes[i].addr, x->writes[i].before, x->writes[i].len) < 0)
				*ret_partial = true;
		return r;
	}
	return 0;
}

/*
 * The functions no thread may be executing for the switch (section 5):
 * for every patch site the write set changes, the function it replaces
 * and each applied patch's replacement of it, whichever runs now.  A site
 * the switch leaves alone (shadowed by a newer patch) needs nothing.
 */
struct range_list {
	struct stack_range *r;
	size_t n, alloc;
	uint64_t *written; /* site addresses of the text writes, sorted */
	size_t nwritten;
	uint64_t ours;			  /* the record txn.patch names */
	const struct ulp_site *our_sites; /* in container order, so named from @c */
	uint32_t nours;
	const struct container *c; /* NULL: --revert-all without a patch file */
	bool oom;
};

static void range_add(struct range_list *l, uint64_t start, uint64_t size, const char *name)
{
	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? 2 * l->alloc : 16;
		struct stack_range *r = realloc(l->r, alloc * sizeof(*r));
		if (!r) {
			l->oom = true;
			return;
		}
		l->r = r;
		l->alloc = alloc;
	}
	l->r[l->n++] = (struct stack_range){ start, start + size, name };
}

static int addr_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool site_written(const struct range_list *l, const struct ulp_site *s)
{
	return bsearch(&s->site_addr, l->written, l->nwritten, sizeof(*l->written), addr_cmp) != NULL;
}

/* For messages: the function replaced at @old_addr or, with @new, our
 * patch's replacement of it. */
static const char *range_name(const struct range_list *l, uint64_t old_addr, bool new)
{
	for (uint32_t i = 0; l->c && i < l->nours; i++)
		if (l->our_sites[i].old_addr == old_addr)
			return new ? l->c->funcs[i].new_name : l->c->funcs[i].old_name;
	return "a function being reverted";
}

/* A site of an applied patch: its replacement runs now if the site is
 * written; for a patch going out, the original is in the ranges too. */
static void applied_site(uint64_t patch, const struct ulp_site *s, void *data)
{
	struct range_list *l = data;
	if (!site_written(l, s))
		return;
	range_add(l, s->new_addr, s->new_size, range_name(l, s->old_addr, patch == l->ours));
	if (patch != l->ours)
		range_add(l, s->old_addr, s->old_size, range_name(l, s->old_addr, false));
}

static int stack_checker_setup(struct trigger *tr, bool repair)
{
	const struct txn *x = &tr->txn;
	struct range_list l = { .c = tr->pf && !repair ? &tr->pf->c : NULL, .ours = x->head.patch };
	struct ulp_site *sites = NULL;
	l.written = calloc(x->head.nwrites ? x->head.nwrites : 1, sizeof(*l.written));
	if (!l.written)
		return -ENOMEM;
	for (uint32_t w = 0; w < x->head.nwrites; w++)
		if (x->writes[w].flags & ULP_WRITE_TEXT)
			l.written[l.nwritten++] = x->writes[w].addr;
	qsort(l.written, l.nwritten, sizeof(*l.written), addr_cmp);

	int r = runtime_patch_sites(&tr->v.mem, x->head.patch, &sites, &l.nours);
	if (r == 0 && l.c && l.nours != l.c->nfuncs)
		r = -ULP_E_ABI;
	l.our_sites = sites;
	for (uint32_t i = 0; r == 0 && i < l.nours; i++) {
		if (!site_written(&l, &sites[i]))
			continue;
		range_add(&l, sites[i].old_addr, sites[i].old_size, range_name(&l, sites[i].old_addr, false));
		/* Undoing a half-made switch: its new code may run now too. */
		if (repair)
			range_add(&l, sites[i].new_addr, sites[i].new_size, range_name(&l, sites[i].old_addr, true));
	}
	if (r == 0)
		r = runtime_applied_sites_foreach(&tr->v.mem, &tr->v.rt, applied_site, &l);
	/* The mappings were read before the load: a patch object loaded now
	 * has no table in the checker.  No thread runs its code before the
	 * switch, and a frame in it would still be unwound (libunwind's own
	 * lookup through /proc/PID/maps), only slower. */
	if (r == 0)
		r = l.oom ? -ENOMEM : stack_checker_set_ranges(tr->sc, l.r, l.n);
	free(l.r);
	free(l.written);
	free(sites);
	return r;
}

/* With every thread stopped: one look.  Return 0 if the switch may
 * happen now, 1 if not (the reason in tr->last), or a negative code. */
static int state_look(struct trigger *tr)
{
	pid_t busy = 0;
	uint64_t busy_ip = 0;
	int r = txn_find_busy_thread(tr, &busy, &busy_ip);
	if (r != 0) {
		if (r == 1)
			tr->last =
				(struct stack_finding){ .verdict = STACK_INSIDE, .tid = busy, .func = "a patch site" };
		return r;
	}
	if (tr->o->no_stack_check)
		return 0;
	uint64_t check_us;
	r = stack_check(tr->sc, &tr->proc, &tr->last, &check_us, &tr->rep->threads);
	if (r < 0)
		return r;
	return tr->last.verdict == STACK_CONSISTENT ? 0 : 1;
}

/*
 * With every thread stopped: may the switch happen now?  A thread inside
 * a replaced function is let run alone out of it (run-out.c), a few times
 * at most, before the answer is "not now".
 */
static int state_check(struct trigger *tr)
{
	int r = state_look(tr);
	for (unsigned n = 0; r == 1 && n < RUN_OUT_MAX; n++) {
		struct thread *t = process_thread(&tr->proc, tr->last.tid);
		if (tr->last.verdict != STACK_INSIDE || !tr->last.return_to || !t)
			break;
		const struct ulp_runtime *rt = &tr->v.rt.state;
		struct run_out ro = { .return_to = tr->last.return_to,
				      .return_slot = tr->last.return_slot,
				      .return_stub = rt->return_stub,
				      .return_table = rt->return_table,
				      .what = tr->last.func };
		r = thread_run_out(&tr->proc, t, &ro, RUN_OUT_MS);
		if (r < 0)
			return r;
		if (r == 0) { /* it did not come out: the pause must not grow */
			r = 1;
			break;
		}
		r = state_look(tr);
	}
	if (r == 1)
		log_debug("pid %d: thread %d %s %s at frame %u; retrying", tr->pid, tr->last.tid,
			  tr->last.verdict == STACK_INSIDE ? "is inside" : "has an unreliable stack:",
			  tr->last.verdict == STACK_INSIDE ? tr->last.func : tr->last.why, tr->last.frame);
	return r;
}

/* One stop: check, and switch if the state allows.  Return 1 to retry. */
static int activate_once(struct trigger *tr)
{
	struct trigger_report *rep = tr->rep;
	bool partial = false;
	uint64_t t0 = clock_us(), t1, t2, t3;
	int r = process_stop(&tr->proc, 1000);
	/* Stopping needs the target's threads to run (to reach their stop);
	 * from here on only the controller does, until the last is released. */
	controller_boost();
	fault_point("stop");
	t1 = clock_us();
	if (r == 0)
		r = state_check(tr);
	t2 = clock_us();
	if (r == 1) {
		process_resume(&tr->proc);
		controller_unboost();
		return 1;
	}
	if (r == 0)
		r = txn_execute(tr, &partial);
	t3 = clock_us();
	/* Detaching resumes every thread: this is where the pause ends. */
	process_detach(&tr->proc);
	rep->pause_us = clock_us() - t0;
	controller_unboost();
	rep->stop_us = t1 - t0;
	rep->check_us = t2 - t1;
	rep->write_us = t3 - t2;
	rep->resume_us = rep->pause_us - (t3 - t0);
	if (r == 0)
		return 0;
	if (r == -ULP_E_EXITED)
		return report(tr, OUTCOME_FAILED, r, "process %d exited", tr->pid);
	if (r == -ENOMEM || r == -ULP_E_ABI)
		return report(tr, OUTCOME_FAILED, r, "cannot check the stacks of process %d: %s; nothing was written",
			      tr->pid, ulp_strerror(r));
	if (r == -ULP_E_SITE_CHANGED)
		return report(tr, OUTCOME_FAILED, r,
			      "code or registry of process %d changed after the patch was prepared; nothing was "
			      "written: retry",
			      tr->pid);
	return report(tr, partial ? OUTCOME_INCONSISTENT : OUTCOME_FAILED, r, "cannot switch process %d: %s%s", tr->pid,
		      ulp_strerror(r), partial ? " (the patch may be half-applied)" : "");
}

/* The timeout passed (or the -r limit of stops was reached) with the
 * process never consistent: say who held it. */
static int report_not_consistent(struct trigger *tr)
{
	const struct stack_finding *f = &tr->last;
	char where[512], within[64] = "within the timeout";
	if (tr->o->max_stops && tr->rep->attempts >= tr->o->max_stops)
		snprintf(within, sizeof(within), "in %u stop%s (-r %u)", tr->rep->attempts,
			 tr->rep->attempts == 1 ? "" : "s", tr->o->max_stops);
	stack_describe(tr->pid, f->ip, where, sizeof(where));
	if (f->verdict == STACK_UNRELIABLE)
		return report(tr, OUTCOME_FAILED, -ULP_E_TIMEOUT,
			      "process %d: the stack of thread %d is not reliable (%s, at %s), so the switch cannot "
			      "be proven safe; nothing was written: retry, or use --no-stack-check if the patch allows",
			      tr->pid, f->tid, f->why, where);
	bool site = f->ip == 0; /* on the bytes of a patch site, not in a function */
	if (site)
		snprintf(where, sizeof(where), "the bytes of a patch site");
	return report(tr, OUTCOME_FAILED, -ULP_E_TIMEOUT,
		      "process %d was not in a consistent state %s: thread %d is inside %s%s; "
		      "nothing was written: retry when it has left, raise %s, or use --no-stack-check if "
		      "the patch allows",
		      tr->pid, within, f->tid, where,
		      site		  ? ""
		      : tr->o->revert_all ? ", which the switch changes"
		      : tr->o->revert	  ? ", which the revert switches back"
					  : ", which the patch replaces",
		      tr->o->max_stops ? "-r" : "--timeout");
}

/* ulp was asked to stop: the process is as it was (see interrupt.h). */
#define BEFORE_SWITCH "before the switch: nothing in it changed"

static int report_interrupted(struct trigger *tr, const char *when)
{
	return report(tr, OUTCOME_SKIPPED, -ECANCELED, "process %d not patched: ulp was interrupted (%s) %s", tr->pid,
		      strsignal(interrupted()), when);
}

/* Stop, check and switch until it works or the time is up. */
static int activate_loop(struct trigger *tr)
{
	int r;
	/* A thread inside a replaced function, or on the few bytes of a patch
	 * site, is usually elsewhere a moment later: stop again later. */
	unsigned backoff = BACKOFF_START_US;
	for (;;) {
		tr->rep->attempts++;
		r = activate_once(tr);
		if (r != 1)
			return r;
		if (tr->o->max_stops && tr->rep->attempts >= tr->o->max_stops)
			return report_not_consistent(tr);
		if (clock_us() + backoff > tr->deadline)
			return report_not_consistent(tr);
		if (interrupted())
			return report_interrupted(tr, BEFORE_SWITCH);
		usleep(backoff);
		backoff = backoff * 2 > BACKOFF_MAX_US ? BACKOFF_MAX_US : backoff * 2;
	}
}

static int trigger_activate(struct trigger *tr)
{
	int r = runtime_txn_read(&tr->proc.mem, &tr->v.rt, &tr->txn);
	if (r < 0)
		return report(tr, OUTCOME_FAILED, r, "cannot read the prepared patch in process %d: %s", tr->pid,
			      ulp_strerror(r));
	if (!tr->o->no_stack_check && (r = stack_checker_setup(tr, false)) < 0)
		return report(tr, OUTCOME_FAILED, r, "cannot prepare the stack check of process %d: %s", tr->pid,
			      ulp_strerror(r));
	return activate_loop(tr);
}

/*
 * Find out whether an earlier ulp was killed half-way through a switch:
 * the runtime still holds a prepared write set (its last write consumes
 * it) of which some writes are in the process.  Return the number made
 * and, if any, leave the write set in tr->txn.
 */
static int half_switch_find(struct trigger *tr)
{
	uint8_t(*cur)[ULP_WRITE_MAX] = NULL;
	int r = runtime_txn_read(&tr->v.mem, &tr->v.rt, &tr->txn);
	if (r == -ULP_E_NO_TXN)
		return 0;
	if (r == 0)
		r = txn_read_current(&tr->v.mem, &tr->txn, &cur);
	int made = 0;
	for (uint32_t i = 0; r == 0 && i < tr->txn.head.nwrites; i++) {
		const struct ulp_write *w = &tr->txn.writes[i];
		made += memcmp(cur[i], w->after, w->len) == 0 && memcmp(cur[i], w->before, w->len) != 0;
	}
	free(cur);
	if (r < 0 || made == 0)
		txn_release(&tr->txn);
	return r < 0 ? r : made;
}

/*
 * Undo a switch an earlier ulp left half-made: the writes it made, in
 * reverse, in a stop where no thread runs any function those writes touch
 * (old or new).  The runtime runs the clean-up hooks of that operation on
 * the next call.  Return 0 (nothing to undo, or undone) or a report()ed
 * error: the process stays as the earlier ulp left it.
 */
static int half_switch_undo(struct trigger *tr)
{
	int made = half_switch_find(tr);
	if (made <= 0)
		return made < 0 ? report(tr, OUTCOME_FAILED, made, "cannot read the prepared patch in process %d: %s",
					 tr->pid, ulp_strerror(made))
				: 0;
	uint32_t total = tr->txn.head.nwrites;
	struct txn undo = { .head = tr->txn.head };
	undo.head.nwrites = 0;
	undo.writes = calloc((size_t)made, sizeof(*undo.writes));
	uint8_t(*cur)[ULP_WRITE_MAX] = NULL;
	int r = undo.writes ? txn_read_current(&tr->v.mem, &tr->txn, &cur) : -ENOMEM;
	for (uint32_t i = total; r == 0 && i-- > 0;) {
		const struct ulp_write *w = &tr->txn.writes[i];
		if (memcmp(cur[i], w->after, w->len) != 0 || memcmp(cur[i], w->before, w->len) == 0 ||
		    undo.head.nwrites == (uint32_t)made)
			continue;
		struct ulp_write *u = &undo.writes[undo.head.nwrites++];
		*u = *w;
		memcpy(u->before, w->after, w->len);
		memcpy(u->after, w->before, w->len);
	}
	free(cur);
	if (r == 0)
		r = trigger_checker(tr);
	if (r == 0)
		r = stack_checker_setup(tr, true);
	if (r == 0)
		r = process_attach(&tr->v.mem, &tr->proc);
	txn_release(&tr->txn);
	tr->txn = undo;
	if (r < 0) {
		report(tr, OUTCOME_INCONSISTENT, r, "cannot check the stacks of process %d: %s", tr->pid,
		       ulp_strerror(r));
	} else {
		log_warn("process %d: an earlier ulp was stopped half-way through a switch (%d of %u writes made); "
			 "undoing them",
			 tr->pid, made, total);
		r = activate_loop(tr);
	}
	txn_release(&tr->txn);
	if (r < 0) {
		char why[sizeof(tr->rep->msg)];
		snprintf(why, sizeof(why), "%s", tr->rep->msg);
		report(tr, OUTCOME_INCONSISTENT, -ULP_E_HALF_SWITCHED,
		       "process %d holds a switch an earlier ulp left half-made (%d of %u writes), and it could not "
		       "be undone now: %s",
		       tr->pid, made, total, why);
	}
	return r;
}

int patch_repair(pid_t pid, int timeout_ms, struct trigger_report *rep)
{
	struct trigger_opts o = { .timeout_ms = timeout_ms };
	struct trigger tr = {
		.pid = pid,
		.o = &o,
		.rep = rep,
		.v = RUNTIME_VIEW_INIT,
		.proc = PROCESS_INIT,
		.txn = TXN_INIT,
		.deadline = clock_us() + (uint64_t)timeout_ms * 1000u,
	};
	*rep = (struct trigger_report){ .outcome = OUTCOME_PATCHED };
	sigset_t mask;
	interrupt_hold(&mask);
	int r = runtime_view_open(pid, &tr.v);
	if (r < 0)
		report(&tr, OUTCOME_FAILED, r, "cannot read the runtime of process %d: %s", pid, ulp_strerror(r));
	else
		r = half_switch_undo(&tr);
	process_detach(&tr.proc);
	interrupt_release(&mask);
	stack_checker_free(tr.sc);
	txn_release(&tr.txn);
	runtime_view_close(&tr.v);
	return r;
}

void patch_warm(pid_t pid, const struct patch_file *pf)
{
	struct runtime_view v = RUNTIME_VIEW_INIT;
	struct stack_checker *sc = NULL;
	if (runtime_view_open(pid, &v) == 0) {
		if (pf)
			object_find(&v.mem, &v.maps, pf->c.target_name, pf->c.buildid, pf->c.buildid_len, NULL);
		if (stack_checker_new(&v.mem, &v.maps, &sc) == 0)
			borrow_ranges_set(sc, pid, &v.mem, &v.maps);
	}
	stack_checker_free(sc);
	runtime_view_close(&v);
}

void patch_trigger(pid_t pid, const struct patch_file *pf, const struct trigger_opts *o, struct trigger_report *rep)
{
	uint64_t start = clock_us();
	struct trigger tr = {
		.pid = pid,
		.pf = pf,
		.o = o,
		.rep = rep,
		.v = RUNTIME_VIEW_INIT,
		.proc = PROCESS_INIT,
		.txn = TXN_INIT,
		.deadline = start + (uint64_t)o->timeout_ms * 1000u,
	};
	*rep = (struct trigger_report){ .outcome = OUTCOME_PATCHED };
	if (interrupted()) {
		report_interrupted(&tr, "before it was touched");
		return;
	}

	sigset_t mask;
	int r = trigger_inspect(&tr);
	uint64_t t = clock_us();
	rep->inspect_us = t - start;
	interrupt_hold(&mask);
	if (r == 0 && (r = process_attach(&tr.v.mem, &tr.proc)) < 0)
		access_error(&tr, r);
	rep->attach_us = clock_us() - t;
	if (r == 0)
		r = trigger_load(&tr);
	if (r == 0 && interrupted())
		r = report_interrupted(&tr, BEFORE_SWITCH);
	if (r == 0)
		r = trigger_activate(&tr);
	process_detach(&tr.proc);
	/* Post hooks, or the clean-up of pre hooks when the switch was given up. */
	if (tr.txn.head.post_hooks && rep->outcome != OUTCOME_INCONSISTENT)
		trigger_finish(&tr);

	interrupt_release(&mask);
	stack_checker_free(tr.sc);
	txn_release(&tr.txn);
	runtime_view_close(&tr.v);
	rep->total_us = clock_us() - start;
}

/* The paths of the registry records with the ids in @done->prior, in that
 * order: where ulp finds the files the process opened from its root. */
static int prior_paths(pid_t pid, const struct trigger_report *done, char (*paths)[PATH_MAX])
{
	struct runtime_view v = RUNTIME_VIEW_INIT;
	struct registry reg = REGISTRY_INIT;
	char back[PATH_MAX];
	int r = runtime_view_open(pid, &v);
	if (r == 0)
		r = runtime_registry_read(&v.mem, &v.rt, &reg);
	for (unsigned k = 0; r == 0 && k < done->nprior; k++) {
		r = -ULP_E_NOT_APPLIED;
		for (size_t i = 0; r == -ULP_E_NOT_APPLIED && i < reg.n; i++)
			if (memcmp(reg.e[i].p.id, done->prior[k], ULP_DIGEST_LEN) == 0)
				r = remote_read_string(&v.mem, reg.e[i].p.path, paths[k], PATH_MAX);
		if (r == 0 && target_path_back(pid, paths[k], back, sizeof(back)) == 0)
			memcpy(paths[k], back, sizeof(back));
	}
	registry_release(&reg);
	runtime_view_close(&v);
	return r;
}

/* One step of an undo: @pf applied (or reverted) in @pid, or *@rep says why not. */
static bool undo_step(pid_t pid, const struct patch_file *pf, const struct trigger_opts *o, bool revert,
		      struct trigger_report *rep)
{
	struct trigger_opts step = *o;
	step.revert = revert;
	step.revert_all = NULL;
	patch_trigger(pid, pf, &step, rep);
	return rep->outcome == OUTCOME_PATCHED;
}

void patch_undo_revert_all(pid_t pid, const struct patch_file *pf, const struct trigger_opts *o,
			   const struct trigger_report *done, struct trigger_report *rep)
{
	*rep = (struct trigger_report){ .outcome = OUTCOME_FAILED };
	char(*paths)[PATH_MAX] = calloc(done->nprior ? done->nprior : 1, PATH_MAX);
	int r = !done->prior_complete ? -ULP_E_NOT_APPLIED : paths ? prior_paths(pid, done, paths) : -ENOMEM;
	if (r < 0) {
		snprintf(rep->msg, sizeof(rep->msg), "the patches it reverted %s",
			 done->prior_complete ? "cannot be found in its registry any more" : "are not all known");
		free(paths);
		return;
	}
	bool ok = true;
	for (unsigned k = 0; ok && k < done->nprior; k++) {
		struct patch_file old = PATCH_FILE_INIT;
		r = patch_file_open(paths[k], &old);
		if (r < 0) {
			rep->outcome = OUTCOME_FAILED;
			snprintf(rep->msg, sizeof(rep->msg), "cannot read '%.256s' again: %s", paths[k],
				 ulp_strerror(r));
			ok = false;
		} else if (memcmp(old.c.digest, done->prior[k], ULP_DIGEST_LEN) != 0) {
			/* Another file at that path now: not the patch that went out. */
			rep->outcome = OUTCOME_FAILED;
			snprintf(rep->msg, sizeof(rep->msg),
				 "'%.256s' is no longer the patch that was applied there (its contents changed)",
				 paths[k]);
			ok = false;
		} else {
			ok = undo_step(pid, &old, o, false, rep);
		}
		patch_file_release(&old);
	}
	if (ok && pf && !done->new_was_applied)
		ok = undo_step(pid, pf, o, true, rep);
	free(paths);
	if (ok)
		*rep = (struct trigger_report){ .outcome = OUTCOME_PATCHED };
}
