/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib-via.c - libvia.so: via_nounwind() calls nounwind_block(), which has
 * no unwind information: a thread blocked there is inside via_nounwind(),
 * below a frame no unwinder can step over by the rules.
 */
#include "libs.h"

int via_nounwind(int fd)
{
	return nounwind_block(fd) + 10;
}
