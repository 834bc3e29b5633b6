/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-dump.c - ulp dump FILE.so [-b] [--json]: print a live patch
 * container's metadata after validating it (digest included).
 *
 * The text output is line oriented and stable; scripts grep it:
 *
 *   patch id: <64 hex digits>
 *   target: <name>
 *   build id: <hex>
 *   function: OLD -> NEW (old offset 0xHEX, size N; new offset 0xHEX, size N)
 *   reference: TARGET_SYM -> PATCH_VAR (KIND, target offset 0xHEX; patch offset 0xHEX)
 *   hook: NAME -> FUNCTION (patch offset 0xHEX)
 *   comment: TEXT
 *
 * one "function:" line per pair and one "comment:" line per comment, in
 * the description's order.  -b prints only the target's build-id in hex.
 * --revert is accepted, as libpulp's ulp accepts it, and changes nothing.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "ulp/commands.h"
#include "ulp/log.h"

enum { OPT_REVERT = 256, OPT_JSON };

/* The target's build-id in hex; free() it (NULL: out of memory). */
static char *buildid_hex(const struct container *c)
{
	char *hex = malloc(2 * (size_t)c->buildid_len + 1);
	if (hex)
		hex_encode(c->buildid, c->buildid_len, hex);
	return hex;
}

static const char *ref_kind_name(uint32_t kind)
{
	switch (kind) {
	case CONTAINER_REF_TLS:
		return "tls";
	case CONTAINER_REF_ORIGINAL:
		return "original";
	default:
		return "address";
	}
}

static void dump_text(const struct container *c, const char *id)
{
	printf("patch id: %s\n", id);
	char *hex = buildid_hex(c);
	printf("target: %s\n", c->target_name);
	printf("build id: %s\n", hex ? hex : "");
	free(hex);
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		const struct container_func *f = &c->funcs[i];
		printf("function: %s -> %s (old offset 0x%" PRIx64 ", size %" PRIu64 "; new offset 0x%" PRIx64
		       ", size %" PRIu64 ")\n",
		       f->old_name, f->new_name, f->old_off, f->old_size, f->new_off, f->new_size);
	}
	for (uint32_t i = 0; i < c->nrefs; i++) {
		const struct container_ref *ref = &c->refs[i];
		if (container_ref_is_hook(ref->kind))
			printf("hook: %s -> %s (patch offset 0x%" PRIx64 ")\n", ref->target_sym, ref->patch_sym,
			       ref->patch_off);
		else
			printf("reference: %s -> %s (%s, target offset 0x%" PRIx64 "; patch offset 0x%" PRIx64 ")\n",
			       ref->target_sym, ref->patch_sym, ref_kind_name(ref->kind), ref->target_off,
			       ref->patch_off);
	}
	for (uint32_t i = 0; i < c->ncomments; i++)
		printf("comment: %s\n", c->comments[i]);
}

static void dump_json(const struct container *c, const char *id)
{
	char *hex = buildid_hex(c);
	json_object *doc = json_object_new_object();
	json_object_object_add(doc, "patch_id", json_object_new_string(id));
	json_object_object_add(doc, "version", json_object_new_int((int)c->version));
	json_object_object_add(doc, "target", json_object_new_string(c->target_name));
	json_object_object_add(doc, "build_id", json_object_new_string(hex ? hex : ""));
	free(hex);
	json_object *funcs = json_object_new_array();
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		const struct container_func *f = &c->funcs[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "old", json_object_new_string(f->old_name));
		json_object_object_add(o, "new", json_object_new_string(f->new_name));
		json_object_object_add(o, "old_offset", json_object_new_uint64(f->old_off));
		json_object_object_add(o, "old_size", json_object_new_uint64(f->old_size));
		json_object_object_add(o, "new_offset", json_object_new_uint64(f->new_off));
		json_object_object_add(o, "new_size", json_object_new_uint64(f->new_size));
		json_object_array_add(funcs, o);
	}
	json_object_object_add(doc, "functions", funcs);
	json_object *refs = json_object_new_array(), *hooks = json_object_new_array();
	for (uint32_t i = 0; i < c->nrefs; i++) {
		const struct container_ref *ref = &c->refs[i];
		json_object *o = json_object_new_object();
		bool hook = container_ref_is_hook(ref->kind);
		json_object_object_add(o, hook ? "hook" : "target", json_object_new_string(ref->target_sym));
		json_object_object_add(o, hook ? "function" : "patch", json_object_new_string(ref->patch_sym));
		if (!hook) {
			json_object_object_add(o, "kind", json_object_new_string(ref_kind_name(ref->kind)));
			json_object_object_add(o, "target_offset", json_object_new_uint64(ref->target_off));
		}
		json_object_object_add(o, "patch_offset", json_object_new_uint64(ref->patch_off));
		json_object_array_add(hook ? hooks : refs, o);
	}
	json_object_object_add(doc, "references", refs);
	json_object_object_add(doc, "hooks", hooks);
	json_object *comments = json_object_new_array();
	for (uint32_t i = 0; i < c->ncomments; i++)
		json_object_array_add(comments, json_object_new_string(c->comments[i]));
	json_object_object_add(doc, "comments", comments);
	json_print(doc);
}

int cmd_dump(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "buildid", no_argument, NULL, 'b' },
		{ "revert", no_argument, NULL, OPT_REVERT },
		{ "json", no_argument, NULL, OPT_JSON },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct container c = CONTAINER_INIT;
	bool buildid_only = false, json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "b" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (opt == 'b')
			buildid_only = true;
		else if (opt == OPT_JSON)
			json = true;
		else if (opt != OPT_REVERT) {
			int status = common_option(opt, "dump");
			if (status >= 0)
				return status;
		}
	}
	if (optind != argc - 1) {
		command_usage("dump");
		return EXIT_USAGE;
	}
	int r = container_read(argv[optind], &c);
	if (r < 0) {
		log_error_errno(r, "cannot read live patch '%s'", argv[optind]);
		return EXIT_FAILED;
	}
	char id[2 * ULP_DIGEST_LEN + 1];
	container_id_hex(c.digest, id);
	if (buildid_only) {
		char *hex = buildid_hex(&c);
		printf("%s\n", hex ? hex : "");
		free(hex);
	} else if (json) {
		dump_json(&c, id);
	} else {
		dump_text(&c, id);
	}
	container_release(&c);
	return EXIT_OK;
}
