/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ulp.c - the ulp command: finds the command in the table and runs it.
 */
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ulp/commands.h"
#include "ulp/discover.h"
#include "ulp/log.h"

/* Each usage is what follows "ulp NAME", one form per line; ulp(1)'s
 * SYNOPSIS has the same lines (tests/docs/man-synopsis.sh checks). */
static const struct command commands[] = {
	{ "trigger", cmd_trigger,
	  "[-p PID|NAME-WILDCARD] [--revert | --revert-all=LIB|target] [--all-or-nothing] [--recursive] "
	  "[--timeout=S] [-r N] [--no-stack-check] [--disable-seccomp] [-j N] [--json] [--force] [-c] "
	  "FILE.so|'DIR/*.so'|DIR\n"
	  "--revert-all=LIB [-p PID|NAME-WILDCARD] [--timeout=S] [-r N] [--no-stack-check] [-j N] [--json] [--force]",
	  "apply (or revert) live patches in running processes" },
	{ "check", cmd_check, "-p PID [--json] FILE.so", "exit 1 if the patch is applied in PID, 0 if not" },
	{ "messages", cmd_messages, "-p PID", "print the runtime's log from inside a process" },
	{ "packer", cmd_packer, "FILE.dsc [-o OUT] [-l PATCH.so] [-t TARGET] [--allow-inlined=NAME]...",
	  "build a live patch container from a description" },
	{ "dump", cmd_dump, "FILE.so [-b] [--revert] [--json]", "print a live patch container's metadata" },
	{ "livepatchable", cmd_livepatchable, "FILE",
	  "exit 0 if FILE was built with patchable function entries, 1 if not" },
	{ "patches", cmd_patches, "[-p PID|NAME-WILDCARD] [-u USER] [-b] [--only-livepatched] [--json]",
	  "show live patching status, livepatchable libraries and applied patches of processes" },
	{ "extract", cmd_extract, "FILE [-o OUT|-] [-d DEBUGINFO]",
	  "print an object's name, build-id and symbols as JSON, to pack patches without it" },
	{ "set_patchable", cmd_set_patchable, "enable|disable [-p PID|NAME-WILDCARD] [-u USER]",
	  "turn live patching on or off in running processes" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ulp COMMAND [options] [ARG]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\ncommon options: -v/--verbose, -q/--quiet, -h/--help, --version\n"
		   "'ulp COMMAND --help' describes a command; see ulp(1) for exit statuses\n");
}

/* "usage: ulp NAME FORM", and "       ulp NAME FORM" for each other form. */
static void usage_print(FILE *f, const char *name)
{
	const struct command *c = command_find(name);
	const char *form = c ? c->usage : "";
	for (bool first = true; first || *form; first = false) {
		size_t len = strcspn(form, "\n");
		fprintf(f, "%s ulp %s %.*s\n", first ? "usage:" : "      ", name, (int)len, form);
		form += len + (form[len] == '\n');
	}
}

void command_usage(const char *name)
{
	usage_print(stderr, name);
}

int command_parse_pid(int argc, char **argv, const char *name, int nargs, pid_t *ret_pid)
{
	return command_parse_pid_json(argc, argv, name, nargs, ret_pid, NULL);
}

int command_parse_pid_json(int argc, char **argv, const char *name, int nargs, pid_t *ret_pid, bool *ret_json)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'J' },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "p:" COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (opt == 'p') {
			spec = optarg;
			continue;
		}
		if (opt == 'J' && ret_json) {
			*ret_json = true;
			continue;
		}
		int r = common_option(opt, name);
		if (r >= 0)
			return r;
	}
	char *end = NULL;
	long pid = spec ? strtol(spec, &end, 10) : 0;
	if (!spec || *end || pid <= 0 || pid > INT_MAX || optind != argc - nargs) {
		command_usage(name);
		return EXIT_USAGE;
	}
	*ret_pid = (pid_t)pid;
	return -1;
}

void json_print(json_object *doc)
{
	puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

bool selection_option(int opt, struct selection *sel)
{
	if (opt == 'p')
		sel->spec = optarg;
	else if (opt == 'u')
		sel->user = optarg;
	return opt == 'p' || opt == 'u';
}

int command_select(const struct selection *sel, pid_t **ret_pids, size_t *ret_n)
{
	uid_t uid = 0;
	if (sel->user && discover_user_parse(sel->user, &uid) < 0) {
		log_error("unknown user '%s': give a user name or a numeric id", sel->user);
		return EXIT_USAGE;
	}
	pid_t *pids = NULL;
	size_t n = 0;
	int r = discover_pids(sel->spec, &pids, &n);
	if (r < 0) {
		log_error_errno(r, "cannot list processes");
		return EXIT_FAILED;
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (!sel->user || discover_owned_by(pids[i], uid))
			pids[kept++] = pids[i];
	*ret_pids = pids;
	*ret_n = kept;
	return -1;
}

int common_option(int opt, const char *name)
{
	switch (opt) {
	case 'v':
		log_level = LOG_VERBOSE;
		return -1;
	case 'q':
		log_level = LOG_QUIET;
		return -1;
	case 'h': {
		const struct command *c = command_find(name);
		usage_print(stdout, name);
		printf("%s\n", c ? c->summary : "");
		return EXIT_OK;
	}
	case 'V':
		printf("ulp %s\n", ULP_VERSION);
		return EXIT_OK;
	default:
		command_usage(name);
		return EXIT_USAGE;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ulp %s\n", ULP_VERSION);
		return EXIT_OK;
	}
	const struct command *c = command_find(argv[1]);
	if (!c) {
		log_error("'%s' is not a ulp command; 'ulp --help' lists them", argv[1]);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
