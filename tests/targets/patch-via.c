/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patch-via.c - new version of via_nounwind() (libvia.so). */
#include "libs.h"

int via_nounwind_v2(int fd);

int via_nounwind_v2(int fd)
{
	return nounwind_block(fd) + 20;
}
