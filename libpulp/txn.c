/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * txn.c - the write set of an apply, a revert, or a revert-all.
 *
 * The runtime decides every byte; the controller only executes the list
 * (struct ulp_txn) while every thread is stopped, after checking that each
 * address still holds the @before bytes.  The last writes flip the
 * registry, so "applied" becomes true in the same stop as the code switch:
 *
 *   text first              trampoline windows (ULP_WRITE_TEXT)
 *   then data               the state of each patch going out; the state
 *                           and applied_seq of the one coming in, runtime
 *                           seq; runtime txn = 0 (the set is consumed)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/internal.h"

static struct ulp_txn *txn_current;

static void txn_free(struct ulp_txn *t)
{
	free(ptr_of(t->writes));
	free(t);
}

void txn_discard(void)
{
	if (!txn_current)
		return;
	txn_free(txn_current);
	txn_current = NULL;
	ulp_runtime.txn = 0;
}

static struct ulp_txn *txn_new(struct ulp_patch *p, uint32_t op, uint32_t max_writes)
{
	struct ulp_txn *t = calloc(1, sizeof(*t));
	struct ulp_write *w = calloc(max_writes, sizeof(*w));
	if (!t || !w) {
		free(t);
		free(w);
		return NULL;
	}
	t->patch = addr_of(p);
	t->op = op;
	t->writes = addr_of(w);
	return t;
}

static struct ulp_write *txn_next(struct ulp_txn *t)
{
	struct ulp_write *w = ptr_of(t->writes);
	return &w[t->nwrites++];
}

static void txn_text(struct ulp_txn *t, uint64_t addr, uint32_t len, const uint8_t *after)
{
	struct ulp_write *w = txn_next(t);
	w->addr = addr;
	w->len = len;
	w->flags = ULP_WRITE_TEXT;
	memcpy(w->before, ptr_of(addr), len);
	memcpy(w->after, after, len);
}

static void txn_data(struct ulp_txn *t, void *addr, const void *after, uint32_t len)
{
	struct ulp_write *w = txn_next(t);
	w->addr = addr_of(addr);
	w->len = len;
	memcpy(w->before, addr, len);
	memcpy(w->after, after, len);
}

/* Publish @t as the prepared transaction; the last write consumes it. */
static void txn_publish(struct ulp_txn *t)
{
	txn_current = t;
	ulp_runtime.txn = addr_of(t);
	uint64_t zero = 0;
	txn_data(t, &ulp_runtime.txn, &zero, sizeof(zero));
}

static void window_read(const struct ulp_site *s, uint8_t window[ARCH_WINDOW_LEN], struct arch_site *ret)
{
	memcpy(window, ptr_of(s->site_addr), ARCH_WINDOW_LEN);
	arch_site_classify(window, ret);
}

/*
 * Check one site before applying and fill its pristine bytes.  A site may
 * be unpatched, or patched by the applied patch that owns it now (patches
 * stack); anything else is code we do not understand and must not touch.
 */
static int site_check_apply(struct ulp_site *s, const struct arch_site *a, const uint8_t *window)
{
	if (a->state == ARCH_ENTRY_UNPATCHED) {
		memcpy(s->pristine, window, a->len);
		return 0;
	}
	struct ulp_patch *owner = a->state == ARCH_ENTRY_PATCHED ? registry_site_owner(s->old_addr, NULL) : NULL;
	struct ulp_site *os = owner ? patch_site_find(owner, s->old_addr) : NULL;
	if (!os || os->new_addr != a->target)
		return runtime_fail(-ULP_E_NOT_PATCHABLE, "the entry of the function at 0x%llx is not patchable%s",
				    (unsigned long long)s->old_addr,
				    a->state == ARCH_ENTRY_PATCHED ? " (patched by something else)" : "");
	if (os != s) /* a patch applied again over itself keeps its own */
		memcpy(s->pristine, os->pristine, a->len);
	return 0;
}

/* The bytes that put the trampoline of site @s in place, checked against
 * what is there now (returned in @window). */
static int site_apply_bytes(struct ulp_site *s, uint8_t *window, uint8_t *after, uint32_t *ret_len)
{
	struct arch_site a;
	window_read(s, window, &a);
	int r = site_check_apply(s, &a, window);
	if (r < 0)
		return r;
	s->site_len = a.len;
	arch_site_patched_bytes(window, &a, s->new_addr, after);
	*ret_len = a.len;
	return 0;
}

/*
 * A site owned now by a patch going out of service (with the others in
 * @out) goes to the newest applied patch that stays or, if none, back to
 * its pristine bytes.
 */
static int site_revert_bytes(const struct ulp_site *s, const struct patch_set *out, uint8_t *after, uint32_t *ret_len)
{
	uint8_t window[ARCH_WINDOW_LEN];
	struct arch_site a;
	window_read(s, window, &a);
	if (a.state != ARCH_ENTRY_PATCHED || a.target != s->new_addr) {
		ulp_runtime.error = -ULP_E_SITE_CHANGED;
		return runtime_fail(-ULP_E_SITE_CHANGED,
				    "the trampoline at 0x%llx no longer jumps to this patch; live patching is now "
				    "disabled in this process",
				    (unsigned long long)s->old_addr);
	}
	struct ulp_patch *next = registry_site_owner(s->old_addr, out);
	if (next)
		arch_site_patched_bytes(window, &a, patch_site_find(next, s->old_addr)->new_addr, after);
	else
		memcpy(after, s->pristine, a.len);
	*ret_len = a.len;
	return 0;
}

static uint32_t sites_total(const struct ulp_patch *in, const struct patch_set *out)
{
	uint32_t n = in ? in->nsites : 0;
	for (uint32_t i = 0; i < out->n; i++)
		n += out->p[i]->nsites;
	return n;
}

/*
 * The one write set of every operation: the applied patches in @out go out
 * of service and @in (NULL for none) comes into service, all in the same
 * stop.  A site both touch goes straight from its current trampoline to
 * @in's, never through the original function.  Windows that already hold
 * their new bytes (a patch applied again over itself) are not written.
 *
 * Text first, then the registry: @out's records say "reverted", @in's
 * says "applied" and becomes the newest.
 */
int txn_prepare(uint32_t op, struct ulp_patch *in, const struct patch_set *out)
{
	struct ulp_txn *t = txn_new(in ? in : out->p[0], op, sites_total(in, out) + out->n + 4);
	if (!t)
		return runtime_fail(-ENOMEM, "out of memory preparing a patch");
	int r = 0;
	struct ulp_site *sites = in ? ptr_of(in->sites) : NULL;
	for (uint32_t i = 0; in && i < in->nsites; i++) {
		uint8_t window[ARCH_WINDOW_LEN], after[ULP_WRITE_MAX];
		uint32_t len = 0;
		r = site_apply_bytes(&sites[i], window, after, &len);
		if (r < 0)
			goto fail;
		if (memcmp(window, after, len) != 0)
			txn_text(t, sites[i].site_addr, len, after);
	}
	for (uint32_t k = 0; k < out->n; k++) {
		struct ulp_patch *q = out->p[k];
		struct ulp_site *qs = ptr_of(q->sites);
		for (uint32_t i = 0; i < q->nsites; i++) {
			if ((in && patch_site_find(in, qs[i].old_addr)) ||
			    registry_site_owner(qs[i].old_addr, NULL) != q)
				continue;
			uint8_t after[ULP_WRITE_MAX];
			uint32_t len = 0;
			r = site_revert_bytes(&qs[i], out, after, &len);
			if (r < 0)
				goto fail;
			txn_text(t, qs[i].site_addr, len, after);
		}
	}
	uint32_t reverted = ULP_PATCH_REVERTED;
	for (uint32_t k = 0; k < out->n; k++)
		txn_data(t, &out->p[k]->state, &reverted, sizeof(reverted));
	if (in) {
		uint32_t applied = ULP_PATCH_APPLIED;
		uint64_t seq = ulp_runtime.seq + 1;
		txn_data(t, &in->state, &applied, sizeof(applied));
		txn_data(t, &in->applied_seq, &seq, sizeof(seq));
		txn_data(t, &ulp_runtime.seq, &seq, sizeof(seq));
	}
	txn_publish(t);
	return 0;
fail:
	txn_free(t);
	return r;
}
