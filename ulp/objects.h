/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * objects.h - the ELF objects loaded in a target: their load bias and
 * build-id read from the target's memory (right even when the file on
 * disk was replaced by a package update), and symbols read from the file.
 */
#ifndef ULP_OBJECTS_H
#define ULP_OBJECTS_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ulp/proc.h"
#include "ulp/remote.h"

#define BUILDID_MAX 64

#define OBJECT_PHDR_MAX 64

/** object_phdrs() - program headers and load bias of the ELF image mapped at @map. */
int object_phdrs(const struct remote *mem, const struct proc_map *map, Elf64_Phdr *ph, unsigned *ret_n,
		 uint64_t *ret_bias);

int object_bias(const struct remote *mem, const struct proc_map *map, uint64_t *ret_bias);
int object_buildid(const struct remote *mem, const struct proc_map *map, uint8_t *buf, size_t *ret_len);
/**
 * object_symbols_foreach() - call @fn for every defined symbol in the
 * dynamic and full symbol tables of the file behind @map, until it
 * returns true.  Return: 0, or a negative code if the file is unreadable.
 */
typedef bool (*symbol_fn)(const char *name, uint64_t value, uint64_t size, bool is_func, void *data);
int object_symbols_foreach(pid_t pid, const struct proc_map *map, symbol_fn fn, void *data);

int object_symbol(pid_t pid, const struct proc_map *map, const char *name, uint64_t *ret_value);

/**
 * object_find() - the loaded object a patch is for: one with build-id
 * @id.  Return: 0 (with @ret_map if not NULL), -ULP_E_BUILDID if an object
 * named @name is loaded but none has @id, -ULP_E_TARGET_NOT_LOADED.
 */
int object_find(const struct remote *mem, const struct proc_maps *maps, const char *name, const uint8_t *id,
		size_t id_len, const struct proc_map **ret_map);

#endif
