/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag.h - an error message the packer's library code hands back to the
 * command layer, which alone prints it.  Messages follow the house rules:
 * "FILE:LINE: what is wrong; what to do", lowercase, names in quotes.
 */
#ifndef ULP_PACKER_DIAG_H
#define ULP_PACKER_DIAG_H

struct diag {
	char msg[1024];
};

/* clang-format off */
#define DIAG_INIT {.msg = ""}
/* clang-format on */

/** diag_set() - format the message into @d; returns @r for tail calls. */
__attribute__((format(printf, 3, 4))) int diag_set(struct diag *d, int r, const char *fmt, ...);

#endif
