/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/ulp-errors.h"
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
static int registry_scan(const struct remote *mem, struct runtime *rt, const uint8_t *id, uint32_t *ret_state)
{
	uint64_t gen = rt->state.generation;
	if (gen & 1)
		return -EAGAIN;
	uint32_t state = 0;
	uint64_t addr = rt->state.patches;
	for (unsigned n = 0; addr && n < REGISTRY_MAX; n++) {
		struct ulp_patch p;
		int r = remote_read(mem, addr, &p, sizeof(p));
		if (r < 0)
			return r;
		if (memcmp(p.id, id, ULP_ID_LEN) == 0) {
			state = p.state;
			break;
		}
		addr = p.next;
	}
	int r = runtime_refresh(mem, rt);
	if (r < 0)
		return r;
	if (rt->state.generation != gen)
		return -EAGAIN;
	*ret_state = state;
	return 0;
}

int runtime_patch_state(const struct remote *mem, struct runtime *rt, const uint8_t id[ULP_ID_LEN], uint32_t *ret_state)
{
	/* The runtime only changes the registry while a controller borrows
	 * a thread, for microseconds: a retry sees it stable.  The first pass
	 * starts from the caller's copy of the runtime: the scan ends by
	 * checking that the generation it started from is still current. */
	for (int i = 0; i < REGISTRY_RETRIES; i++) {
		int r = i ? runtime_refresh(mem, rt) : 0;
		if (r == 0)
			r = registry_scan(mem, rt, id, ret_state);
		if (r < 0 && i == 0)
			r = -EAGAIN; /* an old copy may point to stale memory: again, fresh */
		if (r != -EAGAIN)
			return r;
	}
	return -EAGAIN;
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
	int r = runtime_refresh(mem, rt);
	uint64_t addr = r == 0 ? rt->state.patches : 0;
	for (unsigned n = 0; addr && n < REGISTRY_MAX; n++) {
		struct ulp_patch p;
		struct ulp_site *sites;
		uint32_t nsites;
		if ((r = remote_read(mem, addr, &p, sizeof(p))) < 0)
			return r;
		if (p.state == ULP_PATCH_APPLIED) {
			if ((r = runtime_patch_sites(mem, addr, &sites, &nsites)) < 0)
				return r;
			for (uint32_t i = 0; i < nsites; i++)
				fn(addr, &sites[i], data);
			free(sites);
		}
		addr = p.next;
	}
	return r;
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
