/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * optout.c - the environment opt-outs an operator sets at process start:
 *
 *   LIBPULP_DISABLE_ON_PATH    globs matched against the executable's path
 *   LIBPULP_DISABLE_ON_USERS   user names/globs or numeric uids
 *   LIBPULP_DISABLE_ON_GROUPS  group names/globs or numeric gids
 *
 * Each is a colon-separated list; any match disables live patching here.
 */
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpulp/optout.h"

typedef bool (*item_match_fn)(const char *item, const void *data);

/* Whether any item of the colon-separated @list matches. */
static bool list_any(const char *list, item_match_fn match, const void *data)
{
	char item[512];
	while (list && *list) {
		const char *end = strchrnul(list, ':');
		size_t len = (size_t)(end - list);
		if (len > 0 && len < sizeof(item)) {
			memcpy(item, list, len);
			item[len] = '\0';
			if (match(item, data))
				return true;
		}
		list = *end ? end + 1 : end;
	}
	return false;
}

static bool path_match(const char *glob, const void *data)
{
	return fnmatch(glob, data, 0) == 0;
}

struct id_name {
	unsigned long id;
	const char *name;
};

static bool id_match(const char *item, const void *data)
{
	const struct id_name *in = data;
	char *end;
	unsigned long v = strtoul(item, &end, 10);
	if (*item && !*end)
		return v == in->id;
	return in->name && fnmatch(item, in->name, 0) == 0;
}

static bool users_match(const char *list)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	uid_t uid = getuid();
	getpwuid_r(uid, &pw, buf, sizeof(buf), &res);
	struct id_name in = { uid, res ? res->pw_name : NULL };
	return list_any(list, id_match, &in);
}

static bool groups_match(const char *list)
{
	struct group gr, *res = NULL;
	char buf[4096];
	gid_t gid = getgid();
	getgrgid_r(gid, &gr, buf, sizeof(buf), &res);
	struct id_name in = { gid, res ? res->gr_name : NULL };
	return list_any(list, id_match, &in);
}

/* getenv() without calling into the C library (see runtime_init()). */
static const char *env_get(const char *name)
{
	size_t len = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

bool optout_disabled(void)
{
	const char *paths = env_get("LIBPULP_DISABLE_ON_PATH");
	const char *users = env_get("LIBPULP_DISABLE_ON_USERS");
	const char *groups = env_get("LIBPULP_DISABLE_ON_GROUPS");

	if (paths) {
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = '\0';
			if (list_any(paths, path_match, exe))
				return true;
		}
	}
	/* Name lookups can load NSS modules: only when asked to. */
	return (users && users_match(users)) || (groups && groups_match(groups));
}
