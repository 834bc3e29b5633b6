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
 *   comment: TEXT
 *
 * one "function:" line per pair and one "comment:" line per comment, in
 * the description's order.  -b prints only the target's build-id in hex.
 * --revert is accepted, as libpulp's ulp accepts it, and changes nothing.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "ulp/commands.h"
#include "ulp/log.h"

enum { OPT_REVERT = 256, OPT_JSON };

static void hex_print(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
}

static void dump_text(const struct container *c, const char *id)
{
	printf("patch id: %s\n", id);
	printf("target: %s\n", c->target_name);
	printf("build id: ");
	hex_print(c->buildid, c->buildid_len);
	printf("\n");
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		const struct container_func *f = &c->funcs[i];
		printf("function: %s -> %s (old offset 0x%" PRIx64 ", size %" PRIu64 "; new offset 0x%" PRIx64
		       ", size %" PRIu64 ")\n",
		       f->old_name, f->new_name, f->old_off, f->old_size, f->new_off, f->new_size);
	}
	for (uint32_t i = 0; i < c->ncomments; i++)
		printf("comment: %s\n", c->comments[i]);
}

/* A JSON string literal; control characters escaped, UTF-8 passed on. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void dump_json(const struct container *c, const char *id)
{
	printf("{\"patch_id\": \"%s\", \"version\": %u, \"target\": ", id, c->version);
	json_string(c->target_name);
	printf(", \"build_id\": \"");
	hex_print(c->buildid, c->buildid_len);
	printf("\", \"functions\": [");
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		const struct container_func *f = &c->funcs[i];
		printf("%s{\"old\": ", i ? ", " : "");
		json_string(f->old_name);
		printf(", \"new\": ");
		json_string(f->new_name);
		printf(", \"old_offset\": %" PRIu64 ", \"old_size\": %" PRIu64 ", \"new_offset\": %" PRIu64
		       ", \"new_size\": %" PRIu64 "}",
		       f->old_off, f->old_size, f->new_off, f->new_size);
	}
	printf("], \"comments\": [");
	for (uint32_t i = 0; i < c->ncomments; i++) {
		printf("%s", i ? ", " : "");
		json_string(c->comments[i]);
	}
	printf("]}\n");
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
		hex_print(c.buildid, c.buildid_len);
		printf("\n");
	} else if (json) {
		dump_json(&c, id);
	} else {
		dump_text(&c, id);
	}
	container_release(&c);
	return EXIT_OK;
}
