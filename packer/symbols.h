/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symbols.h - what the packer and the inspection commands need to know
 * about an ELF object on disk: its symbols (.symtab, so static ones too,
 * and .dynsym with versions), whether functions' entries are patchable,
 * its build-id, its separate debug file and the name the dynamic loader
 * knows it by.  Looking a name up is targetsyms.h's job.
 */
#ifndef ULP_PACKER_SYMBOLS_H
#define ULP_PACKER_SYMBOLS_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"

/**
 * struct elf_file - an open ELF object.  Starts as ELF_FILE_INIT;
 * elf_file_release() is safe on it.
 */
struct elf_file {
	int fd;
	Elf *elf;
	GElf_Ehdr ehdr;
};

/* clang-format off */
#define ELF_FILE_INIT {.fd = -1}
/* clang-format on */

/** elf_file_open() - open @path. Return: 0, -errno or -ULP_E_NOT_ELF. */
int elf_file_open(const char *path, struct elf_file *ret_f);
/** elf_file_from_fd() - the same for an open file; @fd is the object's from now on. */
int elf_file_from_fd(int fd, struct elf_file *ret_f);
void elf_file_release(struct elf_file *f);

/* A defined function, variable or thread-local variable, as a table has it. */
struct elf_symbol {
	const char *name;
	uint64_t value; /* offset from the load base (of a shared object) */
	uint64_t size;
	unsigned char type, bind; /* STT_*, STB_* */
	const char *file;	  /* a local's source file (its STT_FILE), or NULL */
	const char *version;	  /* .dynsym: the version it is defined with, or NULL */
	bool hidden_version;	  /* name@VERSION rather than name@@VERSION */
	bool dynamic;		  /* from .dynsym (else .symtab) */
};

typedef int (*elf_symbol_fn)(const struct elf_symbol *s, void *data);

/**
 * elf_file_symbols_foreach() - call @fn for every function, variable and
 * thread-local variable the object defines: those of .symtab (statics
 * included, each local with its file), then those of .dynsym with their
 * versions.  Stops at the first nonzero return of @fn and returns it.
 */
int elf_file_symbols_foreach(struct elf_file *f, elf_symbol_fn fn, void *data);

/*
 * The names 'ulp extract' gives symbol types ("func", "ifunc", "object",
 * "tls", "common") and bindings ("local", "global", "weak", "unique"), and
 * back: NULL / -1 for one it does not know.
 */
const char *elf_symbol_type_name(unsigned char type);
const char *elf_symbol_bind_name(unsigned char bind);
int elf_symbol_type_of(const char *name);
int elf_symbol_bind_of(const char *name);

/** elf_file_has_symtab() - whether the object has its full symbol table. */
bool elf_file_has_symtab(struct elf_file *f);

/**
 * elf_file_debug_open() - open @path as the separate debug file of the
 * build @id (@len bytes).  Return: 0, -errno, -ULP_E_NOT_ELF, or
 * -ULP_E_BUILDID when it belongs to another build.
 */
int elf_file_debug_open(const char *path, const uint8_t *id, size_t len, struct elf_file *ret_f);

/**
 * elf_file_debug_find() - the separate debug file of @f (opened from
 * @path): by build-id under /usr/lib/debug/.build-id, else through
 * .gnu_debuglink next to @path, in its .debug directory or under
 * /usr/lib/debug.  Return: 0 with its path in @found, or -ENOENT.
 */
int elf_file_debug_find(struct elf_file *f, const char *path, char found[4096], struct elf_file *ret_f);

/**
 * elf_file_entry() - classify the patch site of the function at @entry
 * from the bytes in the file.  A window that is not in the file is
 * ARCH_ENTRY_NOT_PATCHABLE.  Return: 0 or -errno.
 */
int elf_file_entry(struct elf_file *f, uint64_t entry, struct arch_site *ret_site);

/**
 * elf_file_buildid() - the NT_GNU_BUILD_ID note (a pointer into the file
 * data, valid until release).  Return: 0 or -ENODATA when there is none.
 */
int elf_file_buildid(struct elf_file *f, const uint8_t **ret_id, size_t *ret_len);

/**
 * elf_file_name() - the name the dynamic loader knows the object by:
 * DT_SONAME, else the basename of @path.  Return: 0 or -ENOMEM; *@ret_name
 * is the caller's to free.
 */
int elf_file_name(struct elf_file *f, const char *path, char **ret_name);

/**
 * elf_file_writable() - whether [@addr, @addr + @len) lies in a writable
 * segment that stays writable after relocation (not in PT_GNU_RELRO).
 */
bool elf_file_writable(struct elf_file *f, uint64_t addr, uint64_t len);

/**
 * elf_file_livepatchable() - was the object built with patchable entries:
 * a __patchable_function_entries section, or a function whose entry
 * classifies as patchable (for objects whose section was stripped).
 * Return: 1 yes, 0 no, or -errno.
 */
int elf_file_livepatchable(struct elf_file *f);

#endif
