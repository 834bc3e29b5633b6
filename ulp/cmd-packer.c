/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-packer.c - ulp packer FILE.dsc [-o OUT] [-l PATCH.so] [-t TARGET]:
 * build a live patch container from a description (packer/packer.c).
 */
#include <stdio.h>

#include "packer/packer.h"
#include "ulp/commands.h"
#include "ulp/log.h"

int cmd_packer(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "livepatch", required_argument, NULL, 'l' },
		{ "target", required_argument, NULL, 't' },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct packer_options opt = { 0 };
	struct packer_result res = { .nfuncs = 0 };
	struct diag err = DIAG_INIT;
	int c;

	while ((c = getopt_long(argc, argv, "o:l:t:" COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt.output = optarg;
			break;
		case 'l':
			opt.patch = optarg;
			break;
		case 't':
			opt.target = optarg;
			break;
		default: {
			int status = common_option(c, "packer");
			if (status >= 0)
				return status;
		}
		}
	}
	if (optind != argc - 1) {
		log_error("packer needs one description file; 'ulp packer --help' shows the usage");
		command_usage("packer");
		return EXIT_USAGE;
	}
	opt.description = argv[optind];
	if (packer_pack(&opt, &res, &err) < 0) {
		log_error("%s", err.msg);
		return EXIT_FAILED;
	}
	log_info("wrote live patch '%s' for target '%s' (%u function%s)", res.output, res.target_name, res.nfuncs,
		 res.nfuncs == 1 ? "" : "s");
	return EXIT_OK;
}
