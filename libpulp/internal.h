/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - shared between the runtime's files; not part of the ABI.
 *
 * Everything here runs on a thread the controller borrowed (or in the
 * constructor): one at a time, because the controller holds every thread
 * of the process under ptrace while it works, so no locking is needed.
 */
#ifndef ULP_RUNTIME_INTERNAL_H
#define ULP_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "libpulp/ulp-abi.h"
#include "libpulp/ulp-errors.h"
#include "packer/container.h"

#define HIDDEN __attribute__((visibility("hidden")))

extern struct ulp_runtime ulp_runtime;

static inline void *ptr_of(uint64_t a)
{
	return (void *)(uintptr_t)a;
}

static inline uint64_t addr_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* msgq.c */
HIDDEN __attribute__((format(printf, 1, 2))) void msg_log(const char *fmt, ...);
HIDDEN extern struct ulp_msgq ulp_msgq;
HIDDEN void msg_log_ready(uint64_t pid, const char *suffix);
/* runtime_now() - seconds since the epoch, and the milliseconds in *@ret_ms. */
HIDDEN uint64_t runtime_now(uint32_t *ret_ms);

/*
 * A patch's hooks (container_ref_kind CONTAINER_REF_PRE_PATCH onwards, in
 * that order; 0 = none), kept after its sites in the record's block: the
 * runtime's own, not part of the ABI.
 */
#define ULP_HOOKS 4
static inline uint64_t *patch_hooks(const struct ulp_patch *p)
{
	return (uint64_t *)((struct ulp_site *)ptr_of(p->sites) + p->nsites);
}

/* Patches an operation takes out of service together. */
struct patch_set {
	struct ulp_patch **p;
	uint32_t n;
};

/* registry.c */
HIDDEN struct ulp_patch *registry_find(const uint8_t id[ULP_ID_LEN]);
HIDDEN void registry_insert(struct ulp_patch *p);
HIDDEN struct ulp_patch *registry_site_owner(uint64_t old_addr, const struct patch_set *except);
/* registry_applied_on() - the applied patches for target object @lib (its
 * name or a path to it), but @except; free ret->p. */
HIDDEN int registry_applied_on(const char *lib, const struct ulp_patch *except, struct patch_set *ret);
HIDDEN struct ulp_site *patch_site_find(const struct ulp_patch *p, uint64_t old_addr);
HIDDEN void registry_begin(void);
HIDDEN void registry_end(void);

/* load.c */
HIDDEN int patch_load(const char *path, const uint8_t id[ULP_ID_LEN], struct ulp_patch **ret_patch);

/* txn.c */
HIDDEN int txn_prepare(uint32_t op, struct ulp_patch *in, const struct patch_set *out);
HIDDEN void txn_discard(void);

/* runtime.c */
HIDDEN int runtime_fail(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
