/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * registry.c - the list of patches this process has loaded, newest first,
 * read by the controller (ulp check, ulp patches) without stopping the
 * process.  Changes are bracketed by registry_begin()/registry_end(),
 * which make ulp_runtime.generation odd while the list is inconsistent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libpulp/internal.h"

void registry_begin(void)
{
	__atomic_add_fetch(&ulp_runtime.generation, 1, __ATOMIC_SEQ_CST);
}

void registry_end(void)
{
	__atomic_add_fetch(&ulp_runtime.generation, 1, __ATOMIC_SEQ_CST);
}

struct ulp_patch *registry_find(const uint8_t id[ULP_ID_LEN])
{
	for (struct ulp_patch *p = ptr_of(ulp_runtime.patches); p; p = ptr_of(p->next))
		if (memcmp(p->id, id, ULP_ID_LEN) == 0)
			return p;
	return NULL;
}

void registry_insert(struct ulp_patch *p)
{
	registry_begin();
	p->next = ulp_runtime.patches;
	ulp_runtime.patches = addr_of(p);
	registry_end();
}

struct ulp_site *patch_site_find(const struct ulp_patch *p, uint64_t old_addr)
{
	struct ulp_site *sites = ptr_of(p->sites);
	for (uint32_t i = 0; i < p->nsites; i++)
		if (sites[i].old_addr == old_addr)
			return &sites[i];
	return NULL;
}

static bool patch_set_has(const struct patch_set *set, const struct ulp_patch *p)
{
	for (uint32_t i = 0; set && i < set->n; i++)
		if (set->p[i] == p)
			return true;
	return false;
}

/*
 * The applied patch whose trampoline a site holds: the one applied last
 * among those replacing the function, ignoring the patches in @except (so
 * that a revert can ask who takes the site over).  NULL: the original
 * function.
 */
struct ulp_patch *registry_site_owner(uint64_t old_addr, const struct patch_set *except)
{
	struct ulp_patch *owner = NULL;
	for (struct ulp_patch *p = ptr_of(ulp_runtime.patches); p; p = ptr_of(p->next)) {
		if (p->state != ULP_PATCH_APPLIED || patch_set_has(except, p) || !patch_site_find(p, old_addr))
			continue;
		if (!owner || p->applied_seq > owner->applied_seq)
			owner = p;
	}
	return owner;
}

static bool applied_on(const struct ulp_patch *p, const char *lib, const struct ulp_patch *except)
{
	return p != except && p->state == ULP_PATCH_APPLIED && container_target_matches(ptr_of(p->target), lib);
}

int registry_applied_on(const char *lib, const struct ulp_patch *except, struct patch_set *ret)
{
	uint32_t n = 0;
	for (struct ulp_patch *p = ptr_of(ulp_runtime.patches); p; p = ptr_of(p->next))
		n += applied_on(p, lib, except);
	*ret = (struct patch_set){ .p = calloc(n ? n : 1, sizeof(*ret->p)) };
	if (!ret->p)
		return -ENOMEM;
	for (struct ulp_patch *p = ptr_of(ulp_runtime.patches); p; p = ptr_of(p->next))
		if (applied_on(p, lib, except))
			ret->p[ret->n++] = p;
	return 0;
}
