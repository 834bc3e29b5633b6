/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-list.h - the patch files one trigger names: a file, a quoted
 * wildcard that ulp expands itself (a directory, then '*.so'), or with
 * --recursive the same file-name pattern in the directory and every
 * directory below it.
 */
#ifndef ULP_PATCH_LIST_H
#define ULP_PATCH_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct patch_list {
	char **paths; /* sorted */
	size_t n;
};

/* clang-format off */
#define PATCH_LIST_INIT {.paths = NULL, .n = 0}
/* clang-format on */

/*
 * patch_list_expand() - the files @arg names.  Without wildcards and
 * without @recursive, @arg itself (whether or not it exists: opening it
 * says why not).  A directory with @recursive means every '*.so' below
 * it.  Return 0 (@ret->n may be 0: nothing matches), or -errno.
 */
int patch_list_expand(const char *arg, bool recursive, struct patch_list *ret);
void patch_list_release(struct patch_list *l);

#endif
