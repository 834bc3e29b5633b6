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
#include <sys/syscall.h>
#include <unistd.h>

#include "libpulp/internal.h"
#include "libpulp/optout.h"

/* The only exported symbol (libpulp.map). */
__attribute__((visibility("default"))) struct ulp_runtime ulp_runtime;

extern void ulp_entry_stub(void) HIDDEN;

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
		r = txn_prepare(ULP_OP_REVERT_ALL, p, &out);
	free(out.p);
	return r < 0 ? r : (int)out.n;
}

static int prepare(uint64_t op, const char *path, const uint8_t *id, const char *lib)
{
	if (ulp_runtime.error)
		return runtime_fail(-ULP_E_STICKY, "live patching stopped after an earlier error: %s",
				    ulp_strerror(ulp_runtime.error));
	if (!ulp_runtime.enabled)
		return runtime_fail(-ULP_E_DISABLED, "live patching is disabled in this process");
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
		return txn_prepare(ULP_OP_APPLY, p, &(struct patch_set){ 0 });
	case ULP_OP_REVERT:
		if (!p || p->state != ULP_PATCH_APPLIED)
			return runtime_fail(-ULP_E_NOT_APPLIED, "'%s' is not applied", path);
		return txn_prepare(ULP_OP_REVERT, NULL, &(struct patch_set){ .p = &p, .n = 1 });
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
	ulp_runtime.last_msg[0] = '\0';
	int r = prepare(op, path, id, lib);
	ulp_runtime.last_result = r;
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
	ulp_runtime.msgq = addr_of(&ulp_msgq);
	ulp_runtime.enabled = !optout_disabled();
	ulp_runtime.disabled_by = ulp_runtime.enabled ? 0 : ULP_DISABLED_BY_RULE;
	msg_log_ready((uint64_t)arch_syscall2(SYS_getpid, 0, 0),
		      ulp_runtime.enabled ? "" : " (live patching disabled)");
	/* The magic last: a controller that sees it sees everything above. */
	__atomic_store_n(&ulp_runtime.magic, ULP_RUNTIME_MAGIC, __ATOMIC_RELEASE);
}
