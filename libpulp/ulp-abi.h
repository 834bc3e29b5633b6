/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ulp-abi.h - the runtime ABI: what the controller (ulp) reads, writes and
 * calls inside a target through libpulp.so.  Documented in docs/runtime-abi.md.
 *
 * The controller finds the exported object ULP_RUNTIME_SYMBOL through the
 * dynamic symbol table of the libpulp.so mapped in the target and reads it
 * through /proc/PID/mem.  Every pointer in these structures is stored as a
 * uint64_t address in the target; every field has a fixed width, so the
 * controller needs no knowledge of the runtime's internals.
 *
 * Rule for changes: append fields, bump ULP_ABI_VERSION on any change the
 * controller must know about.
 */
#ifndef ULP_ABI_H
#define ULP_ABI_H

#include <stdint.h>

#define ULP_RUNTIME_SYMBOL "ulp_runtime"
#define ULP_RUNTIME_MAGIC  0x454d49544e52504cull /* "LPRNTIME" */
#define ULP_ABI_VERSION	   3

#define ULP_ID_LEN	 32  /* a patch id is the container's SHA-256 digest */
#define ULP_WRITE_MAX	 24  /* >= ARCH_SITE_MAX */
#define ULP_MSG_MAX	 256 /* runtime_last_msg */
#define ULP_MSGQ_SIZE	 16384
#define ULP_RETURN_SLOTS 64 /* entries of ulp_runtime.return_table */

/* Operations of ulp_runtime.fn_prepare. */
enum ulp_op {
	ULP_OP_APPLY = 1,
	ULP_OP_REVERT = 2,
	ULP_OP_REVERT_ALL = 3, /* every applied patch on one library out, a new one (or none) in */
	ULP_OP_FINISH = 4,     /* after the switch (or a switch given up): run the post hooks */
};

/* States of a registry record. */
enum ulp_patch_state {
	ULP_PATCH_LOADED = 1,  /* dlopen'ed and resolved, never switched on */
	ULP_PATCH_APPLIED = 2, /* its trampolines are (or are shadowed by newer ones) in place */
	ULP_PATCH_REVERTED = 3,
};

/* ulp_runtime.disabled_by: who turned live patching off. */
enum ulp_disabled_by {
	ULP_DISABLED_BY_RULE = 1,	   /* LIBPULP_DISABLE_ON_* at start-up */
	ULP_DISABLED_BY_SET_PATCHABLE = 2, /* ulp set_patchable disable */
};

/* ulp_write.flags */
#define ULP_WRITE_TEXT 1u /* a patch site: no thread's ip may lie inside it */

/*
 * One change to target memory.  The controller makes it while every thread
 * is stopped, after checking that the memory still holds @before.  Text
 * writes are the trampolines; data writes flip the registry so that the
 * record says "applied" in the same stop that switches the code.
 */
struct ulp_write {
	uint64_t addr;
	uint32_t len;
	uint32_t flags;
	uint8_t before[ULP_WRITE_MAX];
	uint8_t after[ULP_WRITE_MAX];
};

/* The write set prepared by fn_prepare, executed in order by the controller. */
struct ulp_txn {
	uint64_t patch; /* struct ulp_patch being applied or reverted */
	uint32_t op;	/* enum ulp_op */
	uint32_t nwrites;
	uint64_t writes;     /* struct ulp_write[nwrites] */
	uint32_t post_hooks; /* hooks to run after: the controller calls ULP_OP_FINISH */
	uint32_t reserved;
};

/* A function replaced by a patch: the stack check's ranges come from here. */
struct ulp_site {
	uint64_t old_addr; /* entry of the replaced function */
	uint64_t old_size;
	uint64_t new_addr; /* entry of the replacement in the patch object */
	uint64_t new_size;
	uint64_t site_addr; /* first byte of the trampoline window */
	uint32_t site_len;
	uint32_t reserved;
	uint8_t pristine[ULP_WRITE_MAX]; /* the window before any patch touched it */
};

/* A registry record: one per patch container ever loaded, newest first. */
struct ulp_patch {
	uint64_t next;
	uint8_t id[ULP_ID_LEN];
	uint32_t state; /* enum ulp_patch_state */
	uint32_t nsites;
	uint64_t sites;	      /* struct ulp_site[nsites] */
	uint64_t applied_seq; /* larger = applied later; the newest wins a shared site */
	uint64_t load_time;   /* CLOCK_REALTIME seconds of the first load */
	uint64_t path;	      /* NUL-terminated path of the container */
	uint64_t target;      /* NUL-terminated target object name */
	uint32_t ncomments;
	uint32_t reserved;
	uint64_t comments; /* uint64_t[ncomments] addresses of NUL-terminated strings */
};

/* Message ring: the runtime's log, read by `ulp messages`. */
struct ulp_msgq {
	uint64_t head; /* bytes ever written; buf[head % size] is the next byte */
	uint32_t size;
	uint32_t reserved;
	char buf[ULP_MSGQ_SIZE];
};

/*
 * The runtime's root object.  @generation is even while stable and odd
 * while the runtime changes the registry, so a reader that does not stop
 * the process (ulp check, ulp patches) retries until it reads the same even
 * value before and after.
 */
struct ulp_runtime {
	uint64_t magic;
	uint32_t abi_version;
	uint32_t size;	     /* sizeof(struct ulp_runtime) */
	uint64_t stub;	     /* ulp_entry_stub: where a borrowed thread starts */
	uint64_t fn_prepare; /* int64_t fn(uint64_t op, const char *path, const uint8_t *id, const char *lib) */
	uint64_t generation;
	uint64_t patches;	    /* newest struct ulp_patch, 0 if none */
	uint64_t txn;		    /* prepared struct ulp_txn, 0 if none */
	uint64_t seq;		    /* last applied_seq handed out */
	uint64_t msgq;		    /* struct ulp_msgq */
	int32_t error;		    /* sticky: nonzero refuses further patching */
	uint32_t enabled;	    /* 0: live patching disabled in this process */
	int32_t last_result;	    /* result of the last fn_prepare */
	uint32_t disabled_by;	    /* enum ulp_disabled_by, when !enabled */
	char last_msg[ULP_MSG_MAX]; /* the message explaining last_result */
	/* Version 3: surviving a controller that dies half-way. */
	uint64_t stubs_start;  /* [stubs_start, stubs_end): the stubs; a frame */
	uint64_t stubs_end;    /* there is never a consistent stack */
	uint64_t return_stub;  /* ulp_return_stub: a run-out's return address */
	uint64_t return_table; /* struct ulp_return[ULP_RETURN_SLOTS] */
	uint32_t busy;	       /* tid of the thread inside fn_prepare, 0 if none */
	uint32_t reserved2;
};

/*
 * A thread let run out of a replaced function returns through
 * return_stub; its real return address waits here.  @slot (the stack
 * address that held the return address) is the key, 0 when the entry is
 * free.  The controller fills an entry while every thread is stopped; the
 * stub frees it when the thread passes.
 */
struct ulp_return {
	uint64_t slot;
	uint64_t ret;
};

#endif
