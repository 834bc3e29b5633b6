/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "ulp/objects.h"

#define PAGE_MASK_4K (~(uint64_t)0xfff)
#define PHDR_MAX     OBJECT_PHDR_MAX
#define NOTE_MAX     4096

/*
 * The ELF header and program headers of a file are the same in every
 * process that maps it (the first page of the file, read-only): a trigger
 * over many processes reads them once per file (device, inode, size of
 * the first mapping), not once per object per step per process.
 */
#define PHDR_MEMO_SLOTS 64

struct phdrs_memo {
	uint64_t dev, inode, size;
	unsigned n;
	Elf64_Phdr ph[PHDR_MAX];
	int id_r; /* object_buildid()'s result: 1 if not looked up yet */
	size_t id_len;
	uint8_t id[BUILDID_MAX];
};

static struct phdrs_memo phdrs_memo[PHDR_MEMO_SLOTS];
static unsigned phdrs_memo_next;

static struct phdrs_memo *memo_find(const struct proc_map *map)
{
	if (!map->inode || map->offset != 0)
		return NULL;
	for (unsigned i = 0; i < PHDR_MEMO_SLOTS; i++) {
		struct phdrs_memo *e = &phdrs_memo[i];
		if (e->inode == map->inode && e->dev == map->dev && e->size == map->end - map->start)
			return e;
	}
	return NULL;
}

static void memo_add(const struct proc_map *map, const Elf64_Phdr *ph, unsigned n)
{
	if (!map->inode || map->offset != 0)
		return;
	struct phdrs_memo *e = &phdrs_memo[phdrs_memo_next++ % PHDR_MEMO_SLOTS];
	*e = (struct phdrs_memo){
		.dev = map->dev, .inode = map->inode, .size = map->end - map->start, .n = n, .id_r = 1
	};
	memcpy(e->ph, ph, n * sizeof(*ph));
}

static int phdrs_read(const struct remote *mem, const struct proc_map *map, Elf64_Phdr *ph, unsigned *ret_n)
{
	const struct phdrs_memo *e = memo_find(map);
	if (e) {
		memcpy(ph, e->ph, e->n * sizeof(*ph));
		*ret_n = e->n;
		return 0;
	}
	Elf64_Ehdr eh;
	int r = remote_read(mem, map->start, &eh, sizeof(eh));
	if (r < 0)
		return r;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > PHDR_MAX)
		return -ULP_E_NOT_ELF;
	*ret_n = eh.e_phnum;
	r = remote_read(mem, map->start + eh.e_phoff, ph, eh.e_phnum * sizeof(*ph));
	if (r == 0)
		memo_add(map, ph, eh.e_phnum);
	return r;
}

static uint64_t bias_of(const struct proc_map *map, const Elf64_Phdr *ph, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD)
			return map->start - (ph[i].p_vaddr & PAGE_MASK_4K);
	return map->start;
}

int object_phdrs(const struct remote *mem, const struct proc_map *map, Elf64_Phdr *ph, unsigned *ret_n,
		 uint64_t *ret_bias)
{
	int r = phdrs_read(mem, map, ph, ret_n);
	if (r < 0)
		return r;
	*ret_bias = bias_of(map, ph, *ret_n);
	return 0;
}

int object_bias(const struct remote *mem, const struct proc_map *map, uint64_t *ret_bias)
{
	Elf64_Phdr ph[PHDR_MAX];
	unsigned n;
	return object_phdrs(mem, map, ph, &n, ret_bias);
}

static int buildid_read(const struct remote *mem, const struct proc_map *map, uint8_t *buf, size_t *ret_len)
{
	Elf64_Phdr ph[PHDR_MAX];
	unsigned n;
	int r = phdrs_read(mem, map, ph, &n);
	if (r < 0)
		return r;
	uint64_t bias = bias_of(map, ph, n);
	for (unsigned i = 0; i < n; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		uint8_t note[NOTE_MAX];
		size_t len = ph[i].p_memsz < NOTE_MAX ? ph[i].p_memsz : NOTE_MAX;
		if (remote_read(mem, bias + ph[i].p_vaddr, note, len) < 0)
			continue;
		const uint8_t *id;
		uint32_t id_len;
		if (container_notes_buildid(note, len, &id, &id_len) == 0 && id_len <= BUILDID_MAX) {
			memcpy(buf, id, id_len);
			*ret_len = id_len;
			return 0;
		}
	}
	return -ENOENT;
}

/* The notes are in the file's read-only pages too: looked up once per file. */
int object_buildid(const struct remote *mem, const struct proc_map *map, uint8_t *buf, size_t *ret_len)
{
	struct phdrs_memo *e = memo_find(map);
	if (e && e->id_r <= 0) {
		memcpy(buf, e->id, e->id_len);
		*ret_len = e->id_len;
		return e->id_r;
	}
	int r = buildid_read(mem, map, buf, ret_len);
	if (r == 0 || r == -ENOENT) {
		e = memo_find(map);
		if (e) {
			e->id_r = r;
			e->id_len = r == 0 ? *ret_len : 0;
			memcpy(e->id, buf, e->id_len);
		}
	}
	return r;
}

static bool symtab_foreach(Elf *elf, symbol_fn fn, void *data)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB))
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		for (size_t i = 0; d && i < count; i++) {
			GElf_Sym sym;
			const char *name;
			if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
			    !(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			if (fn(name, sym.st_value, sym.st_size, GELF_ST_TYPE(sym.st_info) == STT_FUNC, data))
				return true;
		}
	}
	return false;
}

int object_symbols_foreach(pid_t pid, const struct proc_map *map, symbol_fn fn, void *data)
{
	int fd = proc_map_open(pid, map);
	if (fd < 0)
		return fd;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf) {
		symtab_foreach(elf, fn, data);
		elf_end(elf);
	}
	close(fd);
	return elf ? 0 : -ULP_E_NOT_ELF;
}

struct symbol_query {
	const char *name;
	uint64_t value;
	bool found;
};

static bool symbol_match(const char *name, uint64_t value, uint64_t size, bool is_func, void *data)
{
	struct symbol_query *q = data;
	(void)size;
	(void)is_func;
	if (strcmp(name, q->name) != 0)
		return false;
	q->value = value;
	q->found = true;
	return true;
}

/*
 * A fleet trigger looks the runtime's symbol up in the same libpulp.so for
 * every process: remember answers by file identity (device, inode).
 */
#define SYMBOL_CACHE 16

struct symbol_memo {
	uint64_t dev, inode;
	const char *name; /* callers pass string constants */
	uint64_t value;
};

static struct symbol_memo symbol_memos[SYMBOL_CACHE];
static unsigned symbol_memo_next;

static bool symbol_memo_find(const struct proc_map *map, const char *name, uint64_t *ret_value)
{
	for (unsigned i = 0; map->inode && i < SYMBOL_CACHE; i++) {
		const struct symbol_memo *m = &symbol_memos[i];
		if (m->name && m->dev == map->dev && m->inode == map->inode && strcmp(m->name, name) == 0) {
			*ret_value = m->value;
			return true;
		}
	}
	return false;
}

static void symbol_memo_add(const struct proc_map *map, const char *name, uint64_t value)
{
	if (map->inode)
		symbol_memos[symbol_memo_next++ % SYMBOL_CACHE] =
			(struct symbol_memo){ map->dev, map->inode, name, value };
}

int object_symbol(pid_t pid, const struct proc_map *map, const char *name, uint64_t *ret_value)
{
	if (symbol_memo_find(map, name, ret_value))
		return 0;
	struct symbol_query q = { .name = name };
	int r = object_symbols_foreach(pid, map, symbol_match, &q);
	if (r < 0)
		return r;
	if (!q.found)
		return -ULP_E_SYMBOL;
	symbol_memo_add(map, name, q.value);
	*ret_value = q.value;
	return 0;
}

int object_find(const struct remote *mem, const struct proc_maps *maps, const char *name, const uint8_t *id,
		size_t id_len, const struct proc_map **ret_map)
{
	bool name_seen = false;
	for (size_t i = 0; i < maps->n; i++) {
		const struct proc_map *map = &maps->maps[i];
		if (map->offset != 0 || map->path[0] != '/')
			continue;
		/* Several mappings of one file start at offset 0 only once, but
		 * two objects may share a name: check each. */
		if (container_target_matches(name, map->path))
			name_seen = true;
		uint8_t buf[BUILDID_MAX];
		size_t len;
		if (object_buildid(mem, map, buf, &len) == 0 && len == id_len && memcmp(buf, id, len) == 0) {
			if (ret_map)
				*ret_map = map;
			return 0;
		}
	}
	return name_seen ? -ULP_E_BUILDID : -ULP_E_TARGET_NOT_LOADED;
}
