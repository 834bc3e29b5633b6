/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "ulp/attach.h"
#include "ulp/objects.h"
#include "ulp/runtime.h"

#define RUNTIME_NAME_PREFIX "libpulp"
#define REGISTRY_RETRIES    1000
#define REGISTRY_MAX	    100000
#define TXN_MAX_WRITES	    100000

static bool is_runtime_object(const struct proc_map *map)
{
	return map->offset == 0 && map->path[0] == '/' &&
	       strncmp(path_basename(map->path), RUNTIME_NAME_PREFIX, strlen(RUNTIME_NAME_PREFIX)) == 0;
}

int runtime_refresh(const struct remote *mem, struct runtime *rt)
{
	int r = remote_read(mem, rt->addr, &rt->state, sizeof(rt->state));
	if (r < 0)
		return r;
	if (rt->state.magic != ULP_RUNTIME_MAGIC)
		return -ULP_E_NO_RUNTIME;
	if (rt->state.abi_version != ULP_ABI_VERSION || rt->state.size < sizeof(rt->state))
		return -ULP_E_ABI;
	return 0;
}

int runtime_wait_idle(const struct remote *mem, struct runtime *rt, uint64_t deadline)
{
	for (;;) {
		int r = runtime_refresh(mem, rt);
		if (r < 0 || !rt->state.busy)
			return r;
		if (clock_us() >= deadline)
			return -ULP_E_BUSY;
		usleep(1000);
	}
}

int runtime_find(const struct remote *mem, const struct proc_maps *maps, struct runtime *ret_rt)
{
	for (size_t i = 0; i < maps->n; i++) {
		const struct proc_map *map = &maps->maps[i];
		uint64_t bias, value;
		if (!is_runtime_object(map) || object_bias(mem, map, &bias) < 0 ||
		    object_symbol(mem->pid, map, ULP_RUNTIME_SYMBOL, &value) < 0)
			continue;
		struct runtime rt = { .addr = bias + value };
		int r = runtime_refresh(mem, &rt);
		if (r < 0)
			return r;
		*ret_rt = rt;
		return 0;
	}
	return -ULP_E_NO_RUNTIME;
}

int runtime_view_open(pid_t pid, struct runtime_view *v)
{
	int r = proc_maps_read(pid, &v->maps);
	if (r == 0)
		r = remote_open(pid, &v->mem);
	if (r == 0)
		r = runtime_find(&v->mem, &v->maps, &v->rt);
	return r;
}

void runtime_view_close(struct runtime_view *v)
{
	remote_close(&v->mem);
	proc_maps_release(&v->maps);
}

/* One pass over the registry; -EAGAIN if it changed under us. */
static int registry_pass(const struct remote *mem, struct runtime *rt, struct registry *reg)
{
	uint64_t gen = rt->state.generation;
	if (gen & 1)
		return -EAGAIN;
	size_t alloc = 0;
	reg->n = 0;
	for (uint64_t addr = rt->state.patches; addr && reg->n < REGISTRY_MAX;) {
		if (reg->n == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			struct registry_entry *e = realloc(reg->e, alloc * sizeof(*e));
			if (!e)
				return -ENOMEM;
			reg->e = e;
		}
		struct registry_entry *e = &reg->e[reg->n];
		int r = remote_read(mem, addr, &e->p, sizeof(e->p));
		if (r < 0)
			return r;
		e->addr = addr;
		reg->n++;
		addr = e->p.next;
	}
	int r = runtime_refresh(mem, rt);
	if (r < 0)
		return r;
	return rt->state.generation == gen ? 0 : -EAGAIN;
}

int runtime_registry_read(const struct remote *mem, struct runtime *rt, struct registry *ret)
{
	/* The runtime only changes the registry while a controller borrows
	 * a thread, for microseconds: a retry sees it stable.  The first pass
	 * starts from the caller's copy of the runtime (the pass ends by
	 * checking that its generation is still current); an error there may
	 * come from that copy being old, so it is retried fresh. */
	struct registry reg = REGISTRY_INIT;
	for (int i = 0; i < REGISTRY_RETRIES; i++) {
		int r = i ? runtime_refresh(mem, rt) : 0;
		if (r == 0)
			r = registry_pass(mem, rt, &reg);
		if (r == 0) {
			*ret = reg;
			return 0;
		}
		if (r != -EAGAIN && i > 0) {
			registry_release(&reg);
			return r;
		}
	}
	registry_release(&reg);
	return -EAGAIN;
}

void registry_release(struct registry *reg)
{
	free(reg->e);
	*reg = (struct registry)REGISTRY_INIT;
}

static int entry_seq_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct registry_entry *)a)->p.applied_seq;
	uint64_t y = ((const struct registry_entry *)b)->p.applied_seq;
	return x < y ? -1 : x > y;
}

int registry_keep_applied_on(const struct remote *mem, struct registry *reg, const char *lib, const uint8_t *except)
{
	size_t kept = 0;
	for (size_t i = 0; i < reg->n; i++) {
		char target[PATH_MAX];
		const struct ulp_patch *p = &reg->e[i].p;
		if (p->state != ULP_PATCH_APPLIED || (except && memcmp(p->id, except, ULP_ID_LEN) == 0))
			continue;
		int r = remote_read_string(mem, p->target, target, sizeof(target));
		if (r < 0)
			return r;
		if (container_target_matches(target, lib))
			reg->e[kept++] = reg->e[i];
	}
	reg->n = kept;
	if (reg->n > 1)
		qsort(reg->e, reg->n, sizeof(*reg->e), entry_seq_cmp);
	return 0;
}

uint32_t registry_state(const struct registry *reg, const uint8_t id[ULP_ID_LEN])
{
	for (size_t i = 0; i < reg->n; i++)
		if (memcmp(reg->e[i].p.id, id, ULP_ID_LEN) == 0)
			return reg->e[i].p.state;
	return 0;
}

int runtime_patch_state(const struct remote *mem, struct runtime *rt, const uint8_t id[ULP_ID_LEN], uint32_t *ret_state)
{
	struct registry reg = REGISTRY_INIT;
	int r = runtime_registry_read(mem, rt, &reg);
	if (r < 0)
		return r;
	*ret_state = registry_state(&reg, id);
	registry_release(&reg);
	return 0;
}

int runtime_patch_sites(const struct remote *mem, uint64_t patch, struct ulp_site **ret_sites, uint32_t *ret_n)
{
	struct ulp_patch p;
	int r = remote_read(mem, patch, &p, sizeof(p));
	if (r < 0)
		return r;
	if (p.nsites == 0 || p.nsites > TXN_MAX_WRITES)
		return -ULP_E_ABI;
	struct ulp_site *sites = calloc(p.nsites, sizeof(*sites));
	if (!sites)
		return -ENOMEM;
	r = remote_read(mem, p.sites, sites, p.nsites * sizeof(*sites));
	if (r < 0) {
		free(sites);
		return r;
	}
	*ret_sites = sites;
	*ret_n = p.nsites;
	return 0;
}

int runtime_applied_sites_foreach(const struct remote *mem, struct runtime *rt, site_fn fn, void *data)
{
	struct registry reg = REGISTRY_INIT;
	int r = runtime_registry_read(mem, rt, &reg);
	for (size_t i = 0; r == 0 && i < reg.n; i++) {
		struct ulp_site *sites;
		uint32_t nsites;
		if (reg.e[i].p.state != ULP_PATCH_APPLIED)
			continue;
		if ((r = runtime_patch_sites(mem, reg.e[i].addr, &sites, &nsites)) < 0)
			break;
		for (uint32_t k = 0; k < nsites; k++)
			fn(reg.e[i].addr, &sites[k], data);
		free(sites);
	}
	registry_release(&reg);
	return r;
}

const char *runtime_disabled_by(const struct ulp_runtime *s)
{
	if (s->enabled)
		return NULL;
	return s->disabled_by == ULP_DISABLED_BY_SET_PATCHABLE ? "set_patchable"
	       : s->disabled_by == ULP_DISABLED_BY_RULE	       ? "rule"
							       : NULL;
}

const char *runtime_disabled_by_text(const char *by)
{
	return !by ? NULL : strcmp(by, "rule") == 0 ? "LIBPULP_DISABLE_ON_*" : "ulp set_patchable";
}

int runtime_messages_print(const struct remote *mem, const struct runtime *rt, FILE *out)
{
	struct ulp_msgq *q = malloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	int r = remote_read(mem, rt->state.msgq, q, sizeof(*q));
	if (r == 0 && (q->size != ULP_MSGQ_SIZE))
		r = -ULP_E_ABI;
	if (r == 0) {
		uint64_t n = q->head < q->size ? q->head : q->size;
		for (uint64_t i = q->head - n; i < q->head; i++)
			fputc(q->buf[i % q->size], out);
	}
	free(q);
	return r;
}

int runtime_txn_read(const struct remote *mem, struct runtime *rt, struct txn *ret_txn)
{
	int r = runtime_refresh(mem, rt);
	if (r < 0)
		return r;
	if (!rt->state.txn)
		return -ULP_E_NO_TXN;
	struct txn t = TXN_INIT;
	r = remote_read(mem, rt->state.txn, &t.head, sizeof(t.head));
	if (r < 0)
		return r;
	if (t.head.nwrites == 0 || t.head.nwrites > TXN_MAX_WRITES)
		return -ULP_E_NO_TXN;
	t.writes = calloc(t.head.nwrites, sizeof(*t.writes));
	if (!t.writes)
		return -ENOMEM;
	r = remote_read(mem, t.head.writes, t.writes, t.head.nwrites * sizeof(*t.writes));
	for (uint32_t i = 0; r == 0 && i < t.head.nwrites; i++)
		if (t.writes[i].len > ULP_WRITE_MAX)
			r = -ULP_E_ABI;
	if (r < 0) {
		txn_release(&t);
		return r;
	}
	*ret_txn = t;
	return 0;
}

void txn_release(struct txn *t)
{
	free(t->writes);
	t->writes = NULL;
}
