/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-hooks.c - a patch with every hook: each appends its digit to
 * libreach.so's static reach_events (pre_patch 1, post_patch 2,
 * pre_unpatch 3, post_unpatch 4), so the test sees which ran, in order.
 * Built a second time with -DREFUSE (patch_hookno): pre_patch refuses.
 */
#define HIDDEN __attribute__((visibility("hidden")))

HIDDEN int *events_ref; /* #reach_events:events_ref */

int reach_hooked_fixed(int n);
int ulp_pre_patch(void);
void ulp_post_patch(void);
void ulp_pre_unpatch(void);
void ulp_post_unpatch(void);

static void event(int digit)
{
	*events_ref = *events_ref * 10 + digit;
}

int reach_hooked_fixed(int n)
{
	return n + 7;
}

int ulp_pre_patch(void)
{
	event(1);
#ifdef REFUSE
	return -22;
#else
	return 0;
#endif
}

void ulp_post_patch(void)
{
	event(2);
}

void ulp_pre_unpatch(void)
{
	event(3);
}

void ulp_post_unpatch(void)
{
	event(4);
}
