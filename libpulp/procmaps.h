/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procmaps.h - reading the text of /proc/PID/maps without a scanf per
 * line: the runtime looks one address up while the thread it runs on is
 * taken from the program.
 */
#ifndef ULP_RUNTIME_PROCMAPS_H
#define ULP_RUNTIME_PROCMAPS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * maps_text_find() - in @text (the NUL-terminated contents of a maps
 * file), the device and inode of the mapping that holds @addr.  Only the
 * start and end of the other lines are parsed.  False if no line holds it
 * or that line is malformed.
 */
bool maps_text_find(const char *text, uint64_t addr, unsigned *ret_major, unsigned *ret_minor, uint64_t *ret_ino);

#endif
