/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packer.h - build a live patch container from a description: the recipe
 * behind 'ulp packer'.  See docs/packer.md.
 */
#ifndef ULP_PACKER_PACKER_H
#define ULP_PACKER_PACKER_H

#include <stddef.h>
#include <stdint.h>

#include "packer/diag.h"

struct packer_options {
	const char *description;	  /* the .dsc file */
	const char *output;		  /* NULL: write into the patch object itself */
	const char *patch;		  /* -l: replaces the description's first line */
	const char *target;		  /* -t: replaces the description's '@' line */
	const char *const *allow_inlined; /* --allow-inlined=NAME: copies the author accepts */
	size_t nallow_inlined;
	void (*warn)(const char *msg); /* what the author should know; NULL: dropped */
};

/** struct packer_result - what was written, for the command's report. */
struct packer_result {
	char output[4096];
	char target_name[256];
	uint32_t nfuncs;
	uint32_t nrefs; /* the description's references */
};

/**
 * packer_pack() - parse the description, apply the overrides, check the
 * target and the patch object, and write the container.
 * Return: 0, or a negative code with @err set to a message naming the
 * file and line at fault and what to do.
 */
int packer_pack(const struct packer_options *opt, struct packer_result *ret_res, struct diag *err);

#endif
