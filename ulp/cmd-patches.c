/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-patches.c - ulp patches [-p PID|WILDCARD] [-u USER] [-b]
 * [--only-livepatched] [--json]: what live patching looks like in running
 * processes, read without stopping them.
 *
 * Per process: its runtime's status (enabled; disabled by an opt-out rule
 * or by set_patchable; stopped by an internal error), the livepatchable
 * objects it has mapped, and the patches applied in it with their load
 * time and the bug labels of their comments.  An object is livepatchable
 * if its file was built with patchable entries: the whole file is looked
 * at (elf_file_livepatchable), once per build-id for the whole run.
 */
#include <errno.h>
#include <json-c/json.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "packer/symbols.h"
#include "ulp/commands.h"
#include "ulp/discover.h"
#include "ulp/log.h"
#include "ulp/objects.h"
#include "ulp/proc.h"
#include "ulp/runtime.h"

enum { OPT_ONLY = 256, OPT_JSON };

#define VERDICTS_MAX 256
#define STRING_MAX   4096

struct opts {
	bool buildids, only_livepatched, json;
};

/* Livepatchable or not, by build-id (the same library in every process). */
static struct verdict {
	uint8_t id[BUILDID_MAX];
	size_t len;
	bool yes;
} verdicts[VERDICTS_MAX];
static size_t nverdicts;

static bool object_livepatchable(pid_t pid, const struct proc_map *m, const uint8_t *id, size_t len)
{
	for (size_t i = 0; len && i < nverdicts; i++)
		if (verdicts[i].len == len && memcmp(verdicts[i].id, id, len) == 0)
			return verdicts[i].yes;
	struct elf_file f = ELF_FILE_INIT;
	int fd = proc_map_open(pid, m);
	int r = fd < 0 ? fd : elf_file_from_fd(fd, &f);
	bool yes = r == 0 && elf_file_livepatchable(&f) == 1;
	elf_file_release(&f);
	if (len && nverdicts < VERDICTS_MAX) {
		struct verdict *v = &verdicts[nverdicts++];
		memcpy(v->id, id, len);
		v->len = len;
		v->yes = yes;
	}
	return yes;
}

/* The bug labels in a comment: bsc#123, jsc#ABC-12, CVE-2021-3449... */
static void labels_add(json_object *labels, const char *text)
{
	static regex_t re;
	static bool ready;
	if (!ready && regcomp(&re, "(CVE-[0-9]{4}-[0-9]+|[a-z]+#[A-Za-z0-9-]*[0-9])", REG_EXTENDED) != 0)
		return;
	ready = true;
	regmatch_t m;
	for (const char *p = text; regexec(&re, p, 1, &m, 0) == 0; p += m.rm_eo)
		json_object_array_add(labels, json_object_new_string_len(p + m.rm_so, (int)(m.rm_eo - m.rm_so)));
}

static const char *const state_names[] = { "", "loaded", "applied", "reverted" };

/* One registry record, as a JSON object; NULL if it cannot be read. */
static json_object *patch_json(const struct remote *mem, const struct ulp_patch *p)
{
	char *s = malloc(STRING_MAX);
	json_object *o = json_object_new_object();
	if (!s || remote_read_string(mem, p->path, s, STRING_MAX) < 0) {
		free(s);
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "path", json_object_new_string(s));
	if (remote_read_string(mem, p->target, s, STRING_MAX) == 0)
		json_object_object_add(o, "target", json_object_new_string(s));
	json_object_object_add(o, "state", json_object_new_string(p->state < 4 ? state_names[p->state] : "unknown"));
	json_object_object_add(o, "load_time", json_object_new_int64((int64_t)p->load_time));
	json_object *comments = json_object_new_array(), *labels = json_object_new_array();
	for (uint32_t i = 0; i < p->ncomments && i < 1000; i++) {
		uint64_t at;
		if (remote_read(mem, p->comments + 8 * i, &at, sizeof(at)) < 0 ||
		    remote_read_string(mem, at, s, STRING_MAX) < 0)
			break;
		json_object_array_add(comments, json_object_new_string(s));
		labels_add(labels, s);
	}
	json_object_object_add(o, "comments", comments);
	json_object_object_add(o, "labels", labels);
	free(s);
	return o;
}

/* The applied patches, newest first. */
static int patches_read(const struct remote *mem, struct runtime *rt, json_object **ret)
{
	struct registry reg = REGISTRY_INIT;
	int r = runtime_registry_read(mem, rt, &reg);
	if (r < 0)
		return r;
	json_object *list = json_object_new_array();
	for (size_t i = 0; i < reg.n; i++) {
		json_object *o = reg.e[i].p.state == ULP_PATCH_APPLIED ? patch_json(mem, &reg.e[i].p) : NULL;
		if (o)
			json_object_array_add(list, o);
	}
	registry_release(&reg);
	*ret = list;
	return 0;
}

static const char *status_of(const struct ulp_runtime *s)
{
	return s->error ? "error" : s->enabled ? "enabled" : "disabled";
}

/* Everything about one process; NULL if it has no runtime (or is gone). */
static json_object *process_json(pid_t pid, int *ret_r)
{
	struct runtime_view v = RUNTIME_VIEW_INIT;
	json_object *patches = NULL;
	int r = runtime_view_open(pid, &v);
	if (r == 0)
		r = patches_read(&v.mem, &v.rt, &patches);
	*ret_r = r;
	if (r < 0) {
		runtime_view_close(&v);
		return NULL;
	}
	char comm[64] = "";
	const char *by = runtime_disabled_by(&v.rt.state);
	proc_comm(pid, comm, sizeof(comm));
	json_object *p = json_object_new_object();
	json_object_object_add(p, "pid", json_object_new_int(pid));
	json_object_object_add(p, "name", json_object_new_string(comm));
	json_object_object_add(p, "status", json_object_new_string(status_of(&v.rt.state)));
	json_object_object_add(p, "disabled_by", by ? json_object_new_string(by) : NULL);
	json_object_object_add(p, "error",
			       v.rt.state.error ? json_object_new_string(ulp_strerror(v.rt.state.error)) : NULL);
	json_object *libs = json_object_new_array();
	for (size_t i = 0; i < v.maps.n; i++) {
		const struct proc_map *m = &v.maps.maps[i];
		uint8_t id[BUILDID_MAX];
		size_t len = 0;
		if (m->offset || m->path[0] != '/')
			continue;
		if (object_buildid(&v.mem, m, id, &len) < 0)
			len = 0;
		if (!object_livepatchable(pid, m, id, len))
			continue;
		char hex[2 * BUILDID_MAX + 1];
		hex_encode(id, len, hex);
		json_object *l = json_object_new_object();
		json_object_object_add(l, "path", json_object_new_string(m->path));
		json_object_object_add(l, "build_id", json_object_new_string(hex));
		json_object_array_add(libs, l);
	}
	json_object_object_add(p, "livepatchable", libs);
	json_object_object_add(p, "patches", patches);
	runtime_view_close(&v);
	return p;
}

static void process_print(json_object *p, const struct opts *o)
{
	json_object *v;
	printf("PID: %d, name: %s\n", json_object_get_int(json_object_object_get(p, "pid")),
	       json_object_get_string(json_object_object_get(p, "name")));
	const char *status = json_object_get_string(json_object_object_get(p, "status"));
	if (json_object_object_get_ex(p, "disabled_by", &v) && v)
		printf("  Live patching: %s (by %s)\n", status, runtime_disabled_by_text(json_object_get_string(v)));
	else if (json_object_object_get_ex(p, "error", &v) && v)
		printf("  Live patching: stopped by an internal error: %s\n", json_object_get_string(v));
	else
		printf("  Live patching: %s\n", status);
	json_object *libs = json_object_object_get(p, "livepatchable");
	printf("  Livepatchable libraries:\n");
	for (size_t i = 0; i < json_object_array_length(libs); i++) {
		json_object *l = json_object_array_get_idx(libs, i);
		printf("    in %s", json_object_get_string(json_object_object_get(l, "path")));
		if (o->buildids)
			printf(" (build-id: %s)", json_object_get_string(json_object_object_get(l, "build_id")));
		printf("\n");
	}
	json_object *patches = json_object_object_get(p, "patches");
	printf("  Applied patches:\n");
	for (size_t i = 0; i < json_object_array_length(patches); i++) {
		json_object *q = json_object_array_get_idx(patches, i);
		time_t t = (time_t)json_object_get_int64(json_object_object_get(q, "load_time"));
		char when[64];
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime(&t));
		printf("    %s (for %s), loaded %s", json_object_get_string(json_object_object_get(q, "path")),
		       json_object_get_string(json_object_object_get(q, "target")), when);
		json_object *labels = json_object_object_get(q, "labels");
		for (size_t k = 0; k < json_object_array_length(labels); k++)
			printf("%s%s", k ? ", " : "; fixes ",
			       json_object_get_string(json_object_array_get_idx(labels, k)));
		printf("\n");
	}
}

int cmd_patches(int argc, char **argv)
{
	static const struct option longopts[] = {
		SELECTION_LONGOPTS,
		{ "buildid", no_argument, NULL, 'b' },
		{ "only-livepatched", no_argument, NULL, OPT_ONLY },
		{ "json", no_argument, NULL, OPT_JSON },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	struct selection sel = { 0 };
	int opt;
	while ((opt = getopt_long(argc, argv, SELECTION_SHORTOPTS "b" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (selection_option(opt, &sel))
			continue;
		if (opt == 'b')
			o.buildids = true;
		else if (opt == OPT_ONLY)
			o.only_livepatched = true;
		else if (opt == OPT_JSON)
			o.json = true;
		else {
			int r = common_option(opt, "patches");
			if (r >= 0)
				return r;
		}
	}
	if (optind != argc) {
		command_usage("patches");
		return EXIT_USAGE;
	}
	pid_t *pids = NULL;
	size_t n = 0;
	int r = command_select(&sel, &pids, &n);
	if (r >= 0)
		return r;
	bool named = discover_is_pid(sel.spec);
	unsigned failed = 0;
	json_object *procs = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *p = process_json(pids[i], &r);
		if (!p) {
			/* A wildcard also matches processes without the runtime,
			 * and any process may exit meanwhile: only a named one
			 * that cannot be read is an error. */
			if (named) {
				failed++;
				log_error_errno(r, "cannot read the live patching state of process %d", pids[i]);
			}
			continue;
		}
		if (o.only_livepatched && !json_object_array_length(json_object_object_get(p, "patches"))) {
			json_object_put(p);
			continue;
		}
		if (o.json)
			json_object_array_add(procs, p);
		else {
			process_print(p, &o);
			json_object_put(p);
		}
	}
	free(pids);
	int status = failed ? EXIT_FAILED : EXIT_OK;
	if (o.json) {
		json_object *doc = json_object_new_object();
		json_object_object_add(doc, "command", json_object_new_string("patches"));
		json_object_object_add(doc, "processes", procs);
		json_object_object_add(doc, "exit_status", json_object_new_int(status));
		json_print(doc);
	} else {
		json_object_put(procs);
	}
	return status;
}
