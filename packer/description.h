/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * description.h - the live patch description (.dsc), libpulp's syntax:
 *
 *   ! comment, kept in the container (anywhere)
 *   /path/to/patch.so          first other line: the patch object
 *   @/path/to/target.so        the target (one per description)
 *   old_function:new_function  one line per replaced function
 *   #sym:ref[:TOFF:POFF]       a reference: at load, patch variable ref
 *                              gets the address of the target's sym
 *   #%tls:ref[:TOFF:POFF]      the same for a thread-local variable
 *
 * Empty lines are ignored, leading and trailing white space is dropped.
 */
#ifndef ULP_PACKER_DESCRIPTION_H
#define ULP_PACKER_DESCRIPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packer/diag.h"

struct dsc_pair {
	char *old_name;
	char *new_name;
	unsigned line;
};

struct dsc_ref {
	char *target_sym;
	char *patch_sym;
	bool tls;	  /* '#%' */
	bool has_offsets; /* ':TOFF:POFF' given */
	uint64_t target_off, patch_off;
	unsigned line;
};

/**
 * struct description - a parsed description.  Starts as DESCRIPTION_INIT;
 * description_release() is safe on it.  @target_path is NULL when the file
 * has no '@' line (the packer's -t may supply it).
 */
struct description {
	char *file; /* the description's own path, for messages */
	unsigned nlines;
	char *patch_path;
	unsigned patch_line;
	char *target_path;
	unsigned target_line;
	struct dsc_pair *pairs;
	size_t npairs;
	char **comments;
	size_t ncomments;
	struct dsc_ref *refs;
	size_t nrefs;
};

/* clang-format off */
#define DESCRIPTION_INIT {.file = NULL}
/* clang-format on */

/**
 * description_parse() - parse @len bytes of @text read from @file.
 * Return: 0; -ULP_E_DESCRIPTION with @err set to
 * "FILE:LINE: what is wrong; what to do"; -ENOMEM.
 */
int description_parse(const char *file, const char *text, size_t len, struct description *ret_d, struct diag *err);

/** description_read() - read and parse the file @path; @err as above. */
int description_read(const char *path, struct description *ret_d, struct diag *err);

void description_release(struct description *d);

#endif
