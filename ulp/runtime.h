/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime.h - the controller's view of the runtime inside a target:
 * finding struct ulp_runtime, reading its registry and message ring,
 * reading the prepared write set.  All reads go through /proc/PID/mem.
 */
#ifndef ULP_RUNTIME_H
#define ULP_RUNTIME_H

#include <stdint.h>
#include <stdio.h>

#include "libpulp/ulp-abi.h"
#include "ulp/proc.h"
#include "ulp/remote.h"

struct runtime {
	uint64_t addr; /* of struct ulp_runtime in the target */
	struct ulp_runtime state;
};

/**
 * runtime_find() - locate and read the runtime of the process behind @mem.
 * Return: 0, -ULP_E_NO_RUNTIME (libpulp.so not loaded, or not yet
 * initialised), -ULP_E_ABI, or -errno.
 */
int runtime_find(const struct remote *mem, const struct proc_maps *maps, struct runtime *ret_rt);

/** runtime_refresh() - read struct ulp_runtime again. */
int runtime_refresh(const struct remote *mem, struct runtime *rt);

/**
 * runtime_wait_idle() - wait until no thread is inside the runtime's
 * entry point (a call of an earlier ulp that was killed finishes on its
 * own), at most until @deadline (clock_us()).
 * Return: 0, -ULP_E_BUSY if it is still busy then, or -errno.
 */
int runtime_wait_idle(const struct remote *mem, struct runtime *rt, uint64_t deadline);

/* The registry's records, newest first, as one consistent snapshot. */
struct registry_entry {
	uint64_t addr; /* of the record in the target */
	struct ulp_patch p;
};

struct registry {
	struct registry_entry *e;
	size_t n;
};

/* clang-format off */
#define REGISTRY_INIT {.e = NULL}
/* clang-format on */

/**
 * runtime_registry_read() - every record of the registry, read while it
 * did not change (retried while the runtime changes it).  Records are
 * never freed and their strings never change, so what they point to can
 * be read afterwards.
 */
int runtime_registry_read(const struct remote *mem, struct runtime *rt, struct registry *ret);
void registry_release(struct registry *reg);

/**
 * runtime_patch_state() - the registry state of patch @id: 0 if the
 * process never loaded it, else an enum ulp_patch_state.  Retries while
 * the runtime is changing the registry (odd generation).
 */
int runtime_patch_state(const struct remote *mem, struct runtime *rt, const uint8_t id[ULP_ID_LEN],
			uint32_t *ret_state);

/**
 * registry_keep_applied_on() - keep in @reg only the applied patches for
 * target object @lib (its name, or a path to it; see
 * container_target_matches()), but the one with id @except (may be
 * NULL), oldest applied first.  Return: 0 or -errno.
 */
int registry_keep_applied_on(const struct remote *mem, struct registry *reg, const char *lib, const uint8_t *except);

/** registry_state() - the enum ulp_patch_state of patch @id in @reg, 0 if absent. */
uint32_t registry_state(const struct registry *reg, const uint8_t id[ULP_ID_LEN]);

/** runtime_patch_sites() - the sites of the registry record at @patch. */
int runtime_patch_sites(const struct remote *mem, uint64_t patch, struct ulp_site **ret_sites, uint32_t *ret_n);

/**
 * runtime_applied_sites_foreach() - call @fn for every site of every
 * applied patch in the registry (the code a site runs now).
 */
typedef void (*site_fn)(uint64_t patch, const struct ulp_site *site, void *data);
int runtime_applied_sites_foreach(const struct remote *mem, struct runtime *rt, site_fn fn, void *data);

/**
 * runtime_disabled_by() - who disabled live patching in a runtime whose
 * state is @s: "rule" (LIBPULP_DISABLE_ON_*), "set_patchable", or NULL
 * if it is enabled or nobody said.  runtime_disabled_by_text() - such a
 * name for people: "LIBPULP_DISABLE_ON_*" or "ulp set_patchable" (NULL
 * for NULL).
 */
const char *runtime_disabled_by(const struct ulp_runtime *s);
const char *runtime_disabled_by_text(const char *by);

/** runtime_messages_print() - copy the message ring to @out, oldest first. */
int runtime_messages_print(const struct remote *mem, const struct runtime *rt, FILE *out);

/* A process's runtime as read from outside, without stopping it. */
struct runtime_view {
	struct proc_maps maps;
	struct remote mem;
	struct runtime rt;
};

/* clang-format off */
#define RUNTIME_VIEW_INIT {.maps = PROC_MAPS_INIT, .mem = REMOTE_INIT}
/* clang-format on */

/** runtime_view_open() - read @pid's maps, open its memory, find its runtime. */
int runtime_view_open(pid_t pid, struct runtime_view *v);
/* runtime_view_close() - safe on RUNTIME_VIEW_INIT and after a failed open. */
void runtime_view_close(struct runtime_view *v);

struct txn {
	struct ulp_txn head;
	struct ulp_write *writes;
};

/* clang-format off */
#define TXN_INIT {.writes = NULL}
/* clang-format on */

/** runtime_txn_read() - the prepared write set; -ULP_E_NO_TXN if none. */
int runtime_txn_read(const struct remote *mem, struct runtime *rt, struct txn *ret_txn);
void txn_release(struct txn *t);

#endif
