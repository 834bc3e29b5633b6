/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime.c - libpulp.so's root: the object the controller finds
 * (ulp_runtime), the constructor, and the one entry point a borrowed
 * thread calls.
 *
 * Rules (docs/runtime-abi.md): no interposed malloc, no threads, no signal
 * handlers; never exit, abort or write to the process's descriptors.  An
 * inconsistency sets ulp_runtime.error, which refuses further patching.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libpulp/internal.h"
#include "libpulp/optout.h"

/* The only exported symbol (libpulp.map). */
__attribute__((visibility("default"))) struct ulp_runtime ulp_runtime;

extern void ulp_entry_stub(void) HIDDEN;
extern void ulp_return_stub(void) HIDDEN;
extern const char ulp_stubs_start[] HIDDEN, ulp_stubs_end[] HIDDEN;

/* Written by the controller and by ulp_return_stub (entry.S) only. */
HIDDEN struct ulp_return ulp_return_table[ULP_RETURN_SLOTS];

int runtime_fail(int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ulp_runtime.last_msg, sizeof(ulp_runtime.last_msg), fmt, ap);
	va_end(ap);
	msg_log("error: %s", ulp_runtime.last_msg);
	return r;
}

/*
 * The patches of the prepared operation, for its post hooks: the one
 * coming in and those going out.  ULP_OP_FINISH consumes it.
 */
static struct {
	struct ulp_patch *in;
	struct patch_set out;
} pending;

static void pending_clear(void)
{
	free(pending.out.p);
	pending.in = NULL;
	pending.out = (struct patch_set){ 0 };
}

typedef int (*hook_int_fn)(void);
typedef void (*hook_void_fn)(void);

static uint64_t hook_of(const struct ulp_patch *p, uint32_t kind)
{
	return p ? patch_hooks(p)[kind - CONTAINER_REF_PRE_PATCH] : 0;
}

/* Run @p's void hook of @kind if it has one; return whether it did. */
static bool hook_run(const struct ulp_patch *p, uint32_t kind, const char *name)
{
	uint64_t fn = hook_of(p, kind);
	if (!fn)
		return false;
	msg_log("running the %s hook of '%s'", name, (const char *)ptr_of(p->path));
	((hook_void_fn)ptr_of(fn))();
	return true;
}

/*
 * After the write set is prepared: @in's pre_patch hook, which may refuse
 * (then nothing is prepared), and the pre_unpatch hooks of @out.  Their
 * post hooks are what ULP_OP_FINISH will run.
 */
static int hooks_before(struct ulp_patch *in, const struct patch_set *out)
{
	/* A patch applied again by --revert-all stays in service: no hooks. */
	if (in && in->state == ULP_PATCH_APPLIED)
		in = NULL;
	/* Remember the operation first: once a hook ran, its post hook must. */
	if (out->n) {
		pending.out.p = malloc(out->n * sizeof(*pending.out.p));
		if (!pending.out.p) {
			txn_discard();
			return runtime_fail(-ENOMEM, "out of memory preparing a patch");
		}
		memcpy(pending.out.p, out->p, out->n * sizeof(*out->p));
		pending.out.n = out->n;
	}
	pending.in = in;
	uint64_t pre = hook_of(in, CONTAINER_REF_PRE_PATCH);
	if (pre) {
		msg_log("running the pre_patch hook of '%s'", (const char *)ptr_of(in->path));
		int rc = ((hook_int_fn)ptr_of(pre))();
		if (rc != 0) {
			pending_clear();
			txn_discard();
			return runtime_fail(-ULP_E_HOOK, "the pre_patch hook of '%s' refused it (it returned %d)",
					    (const char *)ptr_of(in->path), rc);
		}
	}
	uint32_t post = hook_of(in, CONTAINER_REF_POST_PATCH) || hook_of(in, CONTAINER_REF_POST_UNPATCH);
	for (uint32_t i = 0; i < out->n; i++) {
		hook_run(out->p[i], CONTAINER_REF_PRE_UNPATCH, "pre_unpatch");
		post += hook_of(out->p[i], CONTAINER_REF_POST_UNPATCH) || hook_of(out->p[i], CONTAINER_REF_POST_PATCH);
	}
	struct ulp_txn *t = ptr_of(ulp_runtime.txn);
	t->post_hooks = post;
	return 0;
}

/* Prepare the write set for @in and @out, then run the pre hooks. */
static int prepare_with_hooks(uint32_t op, struct ulp_patch *in, const struct patch_set *out)
{
	int r = txn_prepare(op, in, out);
	return r < 0 ? r : hooks_before(in, out);
}

/*
 * ULP_OP_FINISH: the post hooks of the last prepared operation.  Its
 * write set was executed when the runtime's txn pointer is 0 (its last
 * write): post_patch of the new patch, post_unpatch of those that went.
 * If it was given up, the pre hooks are undone the kernel's way:
 * post_unpatch of the patch that did not go in, post_patch of those
 * that stay.  Return the number of hooks run.
 */
static int finish(void)
{
	bool switched = ulp_runtime.txn == 0;
	int n = 0;
	struct ulp_patch *in = pending.in;
	uint32_t in_kind = switched ? CONTAINER_REF_POST_PATCH : CONTAINER_REF_POST_UNPATCH;
	uint32_t out_kind = switched ? CONTAINER_REF_POST_UNPATCH : CONTAINER_REF_POST_PATCH;
	for (uint32_t i = 0; i < pending.out.n; i++)
		n += hook_run(pending.out.p[i], out_kind, switched ? "post_unpatch" : "post_patch");
	n += hook_run(in, in_kind, switched ? "post_patch" : "post_unpatch");
	pending_clear();
	txn_discard();
	return n;
}

/*
 * --revert-all: every applied patch on @lib goes, and the patch @id (if
 * any) comes, in one write set.  Return the number of patches reverted.
 * A new patch that cannot be loaded or placed reverts nothing.
 */
static int prepare_revert_all(const char *lib, const char *path, const uint8_t *id, struct ulp_patch *p)
{
	if (!lib || !*lib)
		return runtime_fail(-EINVAL, "revert-all needs a library name");
	if (id && !p) {
		int r = patch_load(path, id, &p);
		if (r < 0)
			return r;
	}
	struct patch_set out;
	if (registry_applied_on(lib, p, &out) < 0)
		return runtime_fail(-ENOMEM, "out of memory preparing a revert");
	/* Applied already: it stays, as the newest, while the others on its
	 * library go; with none there, or for another library, there is
	 * nothing to do. */
	bool again = p && p->state == ULP_PATCH_APPLIED;
	int r;
	if (!out.n && !p)
		r = runtime_fail(-ULP_E_NOT_APPLIED, "no live patch on '%s' is applied", lib);
	else if (again && (!out.n || !container_target_matches(ptr_of(p->target), lib)))
		r = runtime_fail(-ULP_E_ALREADY_APPLIED, "'%s' is already applied%s%s%s", path,
				 out.n ? "" : ", and no other patch on '", out.n ? "" : lib, out.n ? "" : "' is");
	else
		r = prepare_with_hooks(ULP_OP_REVERT_ALL, p, &out);
	free(out.p);
	return r < 0 ? r : (int)out.n;
}

static int prepare(uint64_t op, const char *path, const uint8_t *id, const char *lib)
{
	if (ulp_runtime.error)
		return runtime_fail(-ULP_E_STICKY, "live patching stopped after an earlier error: %s",
				    ulp_strerror(ulp_runtime.error));
	if (op == ULP_OP_FINISH)
		return finish();
	if (!ulp_runtime.enabled)
		return runtime_fail(-ULP_E_DISABLED, "live patching is disabled in this process");
	/* An operation whose controller never came back for its post hooks
	 * (it was killed, say): they run now, as if it had finished. */
	if (pending.in || pending.out.n)
		finish();
	txn_discard();

	struct ulp_patch *p = id ? registry_find(id) : NULL;
	switch (op) {
	case ULP_OP_APPLY:
		if (p && p->state == ULP_PATCH_APPLIED)
			return runtime_fail(-ULP_E_ALREADY_APPLIED, "'%s' is already applied", path);
		if (!p) {
			int r = patch_load(path, id, &p);
			if (r < 0)
				return r;
		}
		return prepare_with_hooks(ULP_OP_APPLY, p, &(struct patch_set){ 0 });
	case ULP_OP_REVERT:
		if (!p || p->state != ULP_PATCH_APPLIED)
			return runtime_fail(-ULP_E_NOT_APPLIED, "'%s' is not applied", path);
		return prepare_with_hooks(ULP_OP_REVERT, NULL, &(struct patch_set){ .p = &p, .n = 1 });
	case ULP_OP_REVERT_ALL:
		return prepare_revert_all(lib, path, id, p);
	default:
		return runtime_fail(-EINVAL, "unknown operation %llu", (unsigned long long)op);
	}
}

/*
 * Called on a borrowed thread through ulp_entry_stub.  The thread's errno
 * belongs to the code it was taken from, so it is given back untouched.
 */
static int64_t runtime_prepare(uint64_t op, const char *path, const uint8_t *id, const char *lib)
{
	int saved_errno = errno;
	ulp_runtime.busy = (uint32_t)arch_syscall2(SYS_gettid, 0, 0);
	ulp_runtime.last_msg[0] = '\0';
	int r = prepare(op, path, id, lib);
	ulp_runtime.last_result = r;
	__atomic_store_n(&ulp_runtime.busy, 0, __ATOMIC_RELEASE);
	errno = saved_errno;
	return r;
}

/*
 * Runs in every process the runtime is preloaded into, patched or not:
 * it calls no C library function (system calls go straight to the
 * kernel, the environment is read by hand, string functions are the
 * runtime's own), because each libc function called here brings its page,
 * and the kernel up to 64 KiB around it, into the process's resident set.
 * Only an opt-out variable that is set costs more (optout.c).
 */
__attribute__((constructor)) static void runtime_init(void)
{
	ulp_runtime.abi_version = ULP_ABI_VERSION;
	ulp_runtime.size = sizeof(ulp_runtime);
	ulp_runtime.stub = addr_of((const void *)ulp_entry_stub);
	ulp_runtime.fn_prepare = addr_of((const void *)runtime_prepare);
	ulp_runtime.stubs_start = addr_of(ulp_stubs_start);
	ulp_runtime.stubs_end = addr_of(ulp_stubs_end);
	ulp_runtime.return_stub = addr_of((const void *)ulp_return_stub);
	ulp_runtime.return_table = addr_of(ulp_return_table);
	ulp_runtime.msgq = addr_of(&ulp_msgq);
	ulp_runtime.enabled = !optout_disabled();
	ulp_runtime.disabled_by = ulp_runtime.enabled ? 0 : ULP_DISABLED_BY_RULE;
	msg_log_ready((uint64_t)arch_syscall2(SYS_getpid, 0, 0),
		      ulp_runtime.enabled ? "" : " (live patching disabled)");
	/* The magic last: a controller that sees it sees everything above. */
	__atomic_store_n(&ulp_runtime.magic, ULP_RUNTIME_MAGIC, __ATOMIC_RELEASE);
}
