/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patch-list.c - expanding a trigger's patch argument (see patch-list.h).
 */
#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ulp/patch-list.h"

#define NFTW_FDS 16

static int list_add(struct patch_list *l, const char *path)
{
	char **p = realloc(l->paths, (l->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	l->paths = p;
	if (!(l->paths[l->n] = strdup(path)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* nftw() passes no user data: the walk in progress. */
static struct {
	struct patch_list *l;
	const char *pattern;
	int error;
} walk;

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (type != FTW_F || fnmatch(walk.pattern, path + ftw->base, 0) != 0)
		return 0;
	walk.error = list_add(walk.l, path);
	return walk.error ? 1 : 0;
}

/* @dir and every directory below it: regular files whose name matches @pattern. */
static int expand_recursive(const char *dir, const char *pattern, struct patch_list *l)
{
	walk.l = l;
	walk.pattern = pattern;
	walk.error = 0;
	if (nftw(dir, walk_one, NFTW_FDS, FTW_PHYS) < 0)
		return -errno;
	return walk.error;
}

static int expand(const char *arg, bool recursive, struct patch_list *l)
{
	struct stat st;
	if (recursive && stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		return expand_recursive(arg, "*.so", l);
	if (recursive) {
		/* The directory part is where the walk starts; only the file name
		 * may hold wildcards. */
		const char *slash = strrchr(arg, '/');
		char *dir = slash ? strndup(arg, (size_t)(slash - arg) + (slash == arg)) : strdup(".");
		if (!dir)
			return -ENOMEM;
		int r = has_wildcard(dir) ? -EINVAL : expand_recursive(dir, slash ? slash + 1 : arg, l);
		free(dir);
		return r;
	}
	if (!has_wildcard(arg))
		return list_add(l, arg);
	glob_t g;
	int r = glob(arg, GLOB_NOSORT, NULL, &g);
	if (r == GLOB_NOMATCH)
		return 0;
	if (r != 0)
		return r == GLOB_NOSPACE ? -ENOMEM : -EIO;
	for (size_t i = 0; r == 0 && i < g.gl_pathc; i++)
		if (stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode))
			r = list_add(l, g.gl_pathv[i]);
	globfree(&g);
	return r;
}

int patch_list_expand(const char *arg, bool recursive, struct patch_list *ret)
{
	struct patch_list l = PATCH_LIST_INIT;
	int r = expand(arg, recursive, &l);
	if (r < 0) {
		patch_list_release(&l);
		return r;
	}
	if (l.n > 1)
		qsort(l.paths, l.n, sizeof(*l.paths), path_cmp);
	*ret = l;
	return 0;
}

void patch_list_release(struct patch_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	*l = (struct patch_list)PATCH_LIST_INIT;
}
