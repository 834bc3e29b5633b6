/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-packer.c - ulp packer FILE.dsc [-o OUT] [-l PATCH.so] [-t TARGET]:
 * build a live patch container from a description (packer/packer.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "packer/packer.h"
#include "ulp/commands.h"
#include "ulp/log.h"

static void packer_warn(const char *msg)
{
	log_warn("%s", msg);
}

int cmd_packer(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "livepatch", required_argument, NULL, 'l' },
		{ "target", required_argument, NULL, 't' },
		{ "allow-inlined", required_argument, NULL, 'I' },
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct packer_options opt = { .warn = packer_warn };
	const char **allow = calloc((size_t)argc, sizeof(*allow));
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
		case 'I':
			if (allow)
				allow[opt.nallow_inlined++] = optarg;
			break;
		default: {
			int status = common_option(c, "packer");
			if (status >= 0) {
				free(allow);
				return status;
			}
		}
		}
	}
	if (!allow) {
		log_error("out of memory");
		return EXIT_FAILED;
	}
	if (optind != argc - 1) {
		log_error("packer needs one description file; 'ulp packer --help' shows the usage");
		command_usage("packer");
		free(allow);
		return EXIT_USAGE;
	}
	opt.description = argv[optind];
	opt.allow_inlined = allow;
	int r = packer_pack(&opt, &res, &err);
	free(allow);
	if (r < 0) {
		log_error("%s", err.msg);
		return EXIT_FAILED;
	}
	char refs[64] = "";
	if (res.nrefs)
		snprintf(refs, sizeof(refs), ", %u reference%s", res.nrefs, res.nrefs == 1 ? "" : "s");
	log_info("wrote live patch '%s' for target '%s' (%u function%s%s)", res.output, res.target_name, res.nfuncs,
		 res.nfuncs == 1 ? "" : "s", refs);
	return EXIT_OK;
}
