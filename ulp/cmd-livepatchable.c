/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-livepatchable.c - ulp livepatchable FILE: exit 0 if FILE was built
 * with patchable function entries, 1 if not, 2 if it cannot be read.
 */
#include <stdio.h>

#include "libpulp/ulp-errors.h"
#include "packer/symbols.h"
#include "ulp/commands.h"
#include "ulp/log.h"

/* The statuses scripts test, as libpulp's ulp livepatchable has them. */
enum {
	LIVEPATCHABLE_YES = 0,
	LIVEPATCHABLE_NO = 1,
	LIVEPATCHABLE_UNREADABLE = 2, /* also usage errors */
};

int cmd_livepatchable(int argc, char **argv)
{
	static const struct option longopts[] = { COMMON_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct elf_file f = ELF_FILE_INIT;
	int c;

	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int status = common_option(c, "livepatchable");
		if (status >= 0)
			return status;
	}
	if (optind != argc - 1) {
		command_usage("livepatchable");
		return LIVEPATCHABLE_UNREADABLE;
	}
	const char *path = argv[optind];
	int r = elf_file_open(path, &f);
	if (r == 0)
		r = elf_file_livepatchable(&f);
	elf_file_release(&f);
	if (r < 0) {
		log_error_errno(r, "cannot read '%s'", path);
		return LIVEPATCHABLE_UNREADABLE;
	}
	if (r == 0) {
		log_info("'%s' is not livepatchable: build it with -fpatchable-function-entry=16,14", path);
		return LIVEPATCHABLE_NO;
	}
	log_info("'%s' is livepatchable", path);
	return LIVEPATCHABLE_YES;
}
