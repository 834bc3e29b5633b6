/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-extract.c - ulp extract FILE [-o OUT|-] [-d DEBUGINFO]: the object's
 * name, build-id and every function and variable it defines (statics
 * included), as JSON, so that a patch can be packed on a machine that
 * does not have the object.
 *
 * Static symbols live in .symtab, which distributions strip and ship in
 * separate debug files.  Those are taken from -d DEBUGINFO, else found by
 * build-id (/usr/lib/debug/.build-id/xx/yyyy.debug), else through
 * .gnu_debuglink next to the file, in its .debug directory or under
 * /usr/lib/debug.  A debug file of another build is refused.
 */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "packer/symbols.h"
#include "ulp/commands.h"
#include "ulp/log.h"

#define BUILDID_MAX 64

struct collect {
	json_object *list;
	struct elf_file *code; /* the object: its functions' entries */
	bool dynamic_only;     /* the object's own tables when its .symtab is elsewhere */
};

static int symbol_add(const struct elf_symbol *s, void *data)
{
	struct collect *c = data;
	if (c->dynamic_only && !s->dynamic)
		return 0;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "offset", json_object_new_int64((int64_t)s->value));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)s->size));
	json_object_object_add(o, "type", json_object_new_string(elf_symbol_type_name(s->type)));
	json_object_object_add(o, "binding", json_object_new_string(elf_symbol_bind_name(s->bind)));
	json_object_object_add(o, "table", json_object_new_string(s->dynamic ? "dynsym" : "symtab"));
	struct arch_site site;
	if (s->type == STT_FUNC && elf_file_entry(c->code, s->value, &site) == 0)
		json_object_object_add(o, "patchable", json_object_new_boolean(site.state == ARCH_ENTRY_UNPATCHED));
	if (s->file)
		json_object_object_add(o, "file", json_object_new_string(s->file));
	if (s->version) {
		json_object_object_add(o, "version", json_object_new_string(s->version));
		json_object_object_add(o, "default_version", json_object_new_boolean(!s->hidden_version));
	}
	json_object_array_add(c->list, o);
	return 0;
}

static json_object *extract(const char *path, const char *debuginfo, int *ret_status)
{
	struct elf_file f = ELF_FILE_INIT, dbg = ELF_FILE_INIT;
	const uint8_t *id = NULL;
	size_t len = 0;
	char *name = NULL, found[PATH_MAX] = "";
	json_object *doc = NULL;
	*ret_status = EXIT_FAILED;
	int r = elf_file_open(path, &f);
	if (r < 0) {
		log_error_errno(r, "cannot read '%s'", path);
		goto out;
	}
	if (elf_file_buildid(&f, &id, &len) < 0 || len < 2 || len > BUILDID_MAX) {
		log_error("'%s' has no build-id: a patch could not be matched to it; build it with -Wl,--build-id",
			  path);
		goto out;
	}
	char hex[2 * BUILDID_MAX + 1];
	hex_encode(id, len, hex);
	if (debuginfo) {
		r = elf_file_debug_open(debuginfo, id, len, &dbg);
		if (r < 0) {
			log_error("cannot use '%s' as debug information of '%s': %s", debuginfo, path,
				  r == -ULP_E_BUILDID ? "it belongs to another build" : ulp_strerror(r));
			goto out;
		}
		snprintf(found, sizeof(found), "%s", debuginfo);
	} else if (!elf_file_has_symtab(&f) && elf_file_debug_find(&f, path, found, &dbg) < 0) {
		log_warn("'%s' has no symbol table and no debug file was found: only exported symbols are listed; "
			 "give one with -d DEBUGINFO",
			 path);
		found[0] = '\0';
	}
	r = elf_file_name(&f, path, &name);
	if (r < 0) {
		log_error_errno(r, "cannot read '%s'", path);
		goto out;
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "name", json_object_new_string(name));
	json_object_object_add(doc, "build_id", json_object_new_string(hex));
	json_object_object_add(doc, "debuginfo", found[0] ? json_object_new_string(found) : NULL);
	struct collect c = { .list = json_object_new_array(), .code = &f };
	if (dbg.elf) {
		elf_file_symbols_foreach(&dbg, symbol_add, &c);
		c.dynamic_only = true;
	}
	elf_file_symbols_foreach(&f, symbol_add, &c);
	json_object_object_add(doc, "symbols", c.list);
	*ret_status = EXIT_OK;
out:
	free(name);
	elf_file_release(&dbg);
	elf_file_release(&f);
	return doc;
}

int cmd_extract(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "debuginfo", required_argument, NULL, 'd' },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "-", *debuginfo = NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "o:d:" COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (opt == 'o')
			out = optarg;
		else if (opt == 'd')
			debuginfo = optarg;
		else {
			int r = common_option(opt, "extract");
			if (r >= 0)
				return r;
		}
	}
	if (optind != argc - 1) {
		command_usage("extract");
		return EXIT_USAGE;
	}
	int status;
	json_object *doc = extract(argv[optind], debuginfo, &status);
	if (!doc)
		return status;
	if (strcmp(out, "-") == 0) {
		json_print(doc);
		return EXIT_OK;
	}
	if (json_object_to_file_ext(out, doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) < 0) {
		log_error("cannot write '%s': %s", out, strerror(errno));
		status = EXIT_FAILED;
	}
	json_object_put(doc);
	return status;
}
