/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commands.h - the ulp commands, one file each (cmd-NAME.c), registered in
 * the table in ulp.c.  A handler gets argv with argv[0] = the command name,
 * parses its own options (accepting the common ones below) and returns the
 * process exit status.
 */
#ifndef ULP_COMMANDS_H
#define ULP_COMMANDS_H

#include <getopt.h>
#include <stdbool.h>
#include <sys/types.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;   /* argument synopsis after "ulp NAME" */
	const char *summary; /* one line */
};

int cmd_trigger(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_messages(int argc, char **argv);
int cmd_packer(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_livepatchable(int argc, char **argv);
int cmd_set_patchable(int argc, char **argv);
int cmd_patches(int argc, char **argv);
int cmd_extract(int argc, char **argv);

/* Exit statuses shared by the commands; documented in docs/ulp.1.md. */
enum ulp_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1, /* failed cleanly: every target is as it was */
	EXIT_USAGE = 2,
	EXIT_INCONSISTENT = 3, /* a target may be left inconsistent */
	EXIT_NOTHING = 4,      /* nothing failed, nothing was changed */
};

/* Options every command accepts; add COMMON_LONGOPTS to the long option
 * table and COMMON_SHORTOPTS to the short ones, and pass unknown results
 * of getopt_long() to common_option(). */
#define COMMON_SHORTOPTS "vqh"
#define COMMON_LONGOPTS                                                             \
	{ "verbose", no_argument, NULL, 'v' }, { "quiet", no_argument, NULL, 'q' }, \
		{ "help", no_argument, NULL, 'h' },                                 \
	{                                                                           \
		"version", no_argument, NULL, 'V'                                   \
	}

/**
 * common_option() - handle a common option for command @name.
 * Return: -1 when handled and the command goes on, or an exit status the
 * command must return at once (help, version, unknown option).
 */
int common_option(int opt, const char *name);

/**
 * command_parse_pid() - parse "ulp NAME -p PID [ARG]" with the common
 * options; @nargs is how many positional arguments must follow.
 * Return: -1 when parsed (pid in @ret_pid), else the exit status to return.
 */
int command_parse_pid(int argc, char **argv, const char *name, int nargs, pid_t *ret_pid);
/* -p PID|WILDCARD and -u USER, for commands that look at many processes:
 * add SELECTION_LONGOPTS and SELECTION_SHORTOPTS to the tables and offer
 * each getopt_long() result to selection_option() first. */
struct selection {
	const char *spec; /* -p, NULL: every process with the runtime */
	const char *user; /* -u, NULL: any user */
};

#define SELECTION_SHORTOPTS "p:u:"
#define SELECTION_LONGOPTS                           \
	{ "process", required_argument, NULL, 'p' }, \
	{                                            \
		"user", required_argument, NULL, 'u' \
	}

/** selection_option() - keep @opt in @sel if it is -p or -u; true if it was. */
bool selection_option(int opt, struct selection *sel);

/**
 * command_select() - the processes @sel selects, in *@ret_pids (free()
 * it).  Return: -1 when done, else the exit status to return (the error
 * is reported).
 */
int command_select(const struct selection *sel, pid_t **ret_pids, size_t *ret_n);

/** json_print() - --json: @doc as one document on stdout; it is freed. */
struct json_object;
void json_print(struct json_object *doc);

/* command_parse_pid_json() - the same, also accepting --json (*@ret_json). */
int command_parse_pid_json(int argc, char **argv, const char *name, int nargs, pid_t *ret_pid, bool *ret_json);

/** command_usage() - print "usage: ulp NAME USAGE" to stderr. */
void command_usage(const char *name);

#endif
