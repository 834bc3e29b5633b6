/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symbols.c - ELF analysis of objects on disk with libelf: functions and
 * their patch sites, build-id, loader name.  See symbols.h.
 */
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpulp/ulp-errors.h"
#include "packer/container.h"
#include "packer/symbols.h"

#define DEBUG_ROOT "/usr/lib/debug"

/* Bit of a .gnu.version entry marking a non-default (hidden) version. */
#define VERSYM_HIDDEN 0x8000

int elf_file_open(const char *path, struct elf_file *ret_f)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : elf_file_from_fd(fd, ret_f);
}

int elf_file_from_fd(int fd, struct elf_file *ret_f)
{
	struct elf_file f = ELF_FILE_INIT;
	int r = -ULP_E_NOT_ELF;
	f.fd = fd;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		r = -ENOSYS;
		goto out;
	}
	f.elf = elf_begin(f.fd, ELF_C_READ_MMAP, NULL);
	if (!f.elf || elf_kind(f.elf) != ELF_K_ELF || !gelf_getehdr(f.elf, &f.ehdr))
		goto out;
	*ret_f = f;
	f = (struct elf_file)ELF_FILE_INIT;
	r = 0;
out:
	elf_file_release(&f);
	return r;
}

void elf_file_release(struct elf_file *f)
{
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	*f = (struct elf_file)ELF_FILE_INIT;
}

/* The first section of @type, or NULL. */
static Elf_Scn *section_by_type(Elf *elf, GElf_Word type, GElf_Shdr *ret_shdr)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn))
		if (gelf_getshdr(scn, ret_shdr) && ret_shdr->sh_type == type)
			return scn;
	return NULL;
}

/* The names 'ulp extract' writes for symbol types and bindings. */
struct code_name {
	unsigned char value;
	const char *name;
};

static const struct code_name type_names[] = {
	{ STT_FUNC, "func" }, { STT_GNU_IFUNC, "ifunc" }, { STT_OBJECT, "object" },
	{ STT_TLS, "tls" },   { STT_COMMON, "common" },	  { 0, NULL },
};

static const struct code_name bind_names[] = {
	{ STB_LOCAL, "local" },
	{ STB_GLOBAL, "global" },
	{ STB_WEAK, "weak" },
	{ STB_GNU_UNIQUE, "unique" },
	{ 0, NULL },
};

static const char *name_of(const struct code_name *t, unsigned char value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

static int value_of(const struct code_name *t, const char *name)
{
	for (; name && t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t->value;
	return -1;
}

const char *elf_symbol_type_name(unsigned char type)
{
	return name_of(type_names, type);
}

const char *elf_symbol_bind_name(unsigned char bind)
{
	return name_of(bind_names, bind);
}

int elf_symbol_type_of(const char *name)
{
	return value_of(type_names, name);
}

int elf_symbol_bind_of(const char *name)
{
	return value_of(bind_names, name);
}

/* The name of every version .gnu.version_d defines, by index. */
static char **verdef_names(Elf *elf, size_t *ret_n)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = section_by_type(elf, SHT_GNU_verdef, &shdr);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	size_t n = 0, off = 0;
	char **names = NULL;
	for (size_t k = 0; data && k < shdr.sh_info; k++) {
		GElf_Verdef vd;
		GElf_Verdaux va;
		if (!gelf_getverdef(data, (int)off, &vd) || !gelf_getverdaux(data, (int)(off + vd.vd_aux), &va))
			break;
		if (vd.vd_ndx >= n) {
			char **more = realloc(names, (vd.vd_ndx + 1u) * sizeof(*names));
			if (!more)
				break;
			memset(more + n, 0, (vd.vd_ndx + 1u - n) * sizeof(*more));
			names = more;
			n = vd.vd_ndx + 1u;
		}
		names[vd.vd_ndx] = elf_strptr(elf, shdr.sh_link, va.vda_name);
		if (!vd.vd_next)
			break;
		off += vd.vd_next;
	}
	*ret_n = n;
	return names;
}

static bool symbol_kept(const GElf_Sym *sym)
{
	return sym->st_shndx != SHN_UNDEF && elf_symbol_type_name(GELF_ST_TYPE(sym->st_info)) &&
	       elf_symbol_bind_name(GELF_ST_BIND(sym->st_info));
}

/* Every kept symbol of the table @scn; @dynamic: .dynsym, with versions. */
static int table_foreach(Elf *elf, Elf_Scn *scn, bool dynamic, elf_symbol_fn fn, void *data)
{
	GElf_Shdr shdr, vshdr;
	Elf_Data *syms = elf_getdata(scn, NULL);
	if (!gelf_getshdr(scn, &shdr) || !syms || shdr.sh_entsize == 0)
		return 0;
	Elf_Scn *vscn = dynamic ? section_by_type(elf, SHT_GNU_versym, &vshdr) : NULL;
	Elf_Data *versym = vscn ? elf_getdata(vscn, NULL) : NULL;
	size_t nver = 0;
	char **vernames = dynamic ? verdef_names(elf, &nver) : NULL;
	const char *file = NULL;
	int r = 0;
	for (size_t i = 1; r == 0 && i < shdr.sh_size / shdr.sh_entsize; i++) {
		GElf_Sym sym;
		GElf_Versym vs;
		if (!gelf_getsym(syms, (int)i, &sym))
			continue;
		const char *name = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (GELF_ST_TYPE(sym.st_info) == STT_FILE)
			file = name;
		if (!name || !*name || !symbol_kept(&sym))
			continue;
		struct elf_symbol es = {
			.name = name,
			.value = sym.st_value,
			.size = sym.st_size,
			.type = GELF_ST_TYPE(sym.st_info),
			.bind = GELF_ST_BIND(sym.st_info),
			.file = GELF_ST_BIND(sym.st_info) == STB_LOCAL ? file : NULL,
			.dynamic = dynamic,
		};
		if (versym && gelf_getversym(versym, (int)i, &vs)) {
			size_t idx = vs & ~(size_t)VERSYM_HIDDEN;
			es.version = idx < nver ? vernames[idx] : NULL;
			es.hidden_version = (vs & VERSYM_HIDDEN) != 0;
		}
		r = fn(&es, data);
	}
	free(vernames);
	return r;
}

int elf_file_symbols_foreach(struct elf_file *f, elf_symbol_fn fn, void *data)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = section_by_type(f->elf, SHT_SYMTAB, &shdr);
	int r = scn ? table_foreach(f->elf, scn, false, fn, data) : 0;
	scn = section_by_type(f->elf, SHT_DYNSYM, &shdr);
	if (r == 0 && scn)
		r = table_foreach(f->elf, scn, true, fn, data);
	return r;
}

bool elf_file_has_symtab(struct elf_file *f)
{
	GElf_Shdr shdr;
	return section_by_type(f->elf, SHT_SYMTAB, &shdr) != NULL;
}

/* File offset of the @len bytes at virtual address @addr, from PT_LOAD. */
static int vaddr_to_offset(struct elf_file *f, uint64_t addr, uint64_t len, uint64_t *ret_off)
{
	size_t n;
	if (elf_getphdrnum(f->elf, &n) < 0)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(f->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr - ph.p_vaddr <= ph.p_filesz &&
		    len <= ph.p_filesz - (addr - ph.p_vaddr)) {
			*ret_off = ph.p_offset + (addr - ph.p_vaddr);
			return 0;
		}
	}
	return -ENOENT;
}

int elf_file_entry(struct elf_file *f, uint64_t entry, struct arch_site *ret_site)
{
	uint8_t window[ARCH_WINDOW_LEN];
	uint64_t off;
	*ret_site = (struct arch_site){ .state = ARCH_ENTRY_NOT_PATCHABLE };
	if (entry < ARCH_PAD_BEFORE || vaddr_to_offset(f, entry - ARCH_PAD_BEFORE, ARCH_WINDOW_LEN, &off) < 0)
		return 0;
	ssize_t n = pread(f->fd, window, sizeof(window), (off_t)off);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(window))
		return 0;
	return arch_site_classify(window, ret_site);
}

/* Look for the build-id among the notes of one PT_NOTE segment. */
static int notes_buildid(Elf_Data *data, const uint8_t **ret_id, size_t *ret_len)
{
	GElf_Nhdr nh;
	size_t name_off, desc_off;
	for (size_t off = 0; (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0;) {
		const char *note_name = (const char *)data->d_buf + name_off;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == sizeof(ELF_NOTE_GNU) &&
		    memcmp(note_name, ELF_NOTE_GNU, sizeof(ELF_NOTE_GNU)) == 0 && nh.n_descsz > 0) {
			*ret_id = (const uint8_t *)data->d_buf + desc_off;
			*ret_len = nh.n_descsz;
			return 0;
		}
	}
	return -ENODATA;
}

/*
 * The build-id is read from the program headers, as the runtime finds it
 * in a loaded object, so the packer and the runtime agree on it.
 */
int elf_file_buildid(struct elf_file *f, const uint8_t **ret_id, size_t *ret_len)
{
	size_t n;
	if (elf_getphdrnum(f->elf, &n) < 0)
		return -ENODATA;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(f->elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		Elf_Type t = ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR;
		Elf_Data *data = elf_getdata_rawchunk(f->elf, (int64_t)ph.p_offset, ph.p_filesz, t);
		if (data && notes_buildid(data, ret_id, ret_len) == 0)
			return 0;
	}
	return -ENODATA;
}

static const char *elf_file_soname(struct elf_file *f)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = section_by_type(f->elf, SHT_DYNAMIC, &shdr);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data || shdr.sh_entsize == 0)
		return NULL;
	for (size_t i = 0; i < shdr.sh_size / shdr.sh_entsize; i++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_SONAME)
			return elf_strptr(f->elf, shdr.sh_link, dyn.d_un.d_val);
	}
	return NULL;
}

int elf_file_name(struct elf_file *f, const char *path, char **ret_name)
{
	const char *name = elf_file_soname(f);
	if (!name) {
		const char *slash = strrchr(path, '/');
		name = slash ? slash + 1 : path;
	}
	*ret_name = strdup(name);
	return *ret_name ? 0 : -ENOMEM;
}

static bool has_section(struct elf_file *f, const char *want)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(f->elf, &shstrndx) < 0)
		return false;
	for (Elf_Scn *scn = elf_nextscn(f->elf, NULL); scn; scn = elf_nextscn(f->elf, scn)) {
		GElf_Shdr shdr;
		const char *name = gelf_getshdr(scn, &shdr) ? elf_strptr(f->elf, shstrndx, shdr.sh_name) : NULL;
		if (name && strcmp(name, want) == 0 && shdr.sh_size > 0)
			return true;
	}
	return false;
}

/* Does any defined function of symbol table @scn have a patchable entry? */
static int symtab_any_patchable(struct elf_file *f, Elf_Scn *scn)
{
	GElf_Shdr shdr;
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!gelf_getshdr(scn, &shdr) || !data || shdr.sh_entsize == 0)
		return 0;
	for (size_t i = 1; i < shdr.sh_size / shdr.sh_entsize; i++) {
		GElf_Sym sym;
		struct arch_site site;
		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		int r = elf_file_entry(f, sym.st_value, &site);
		if (r < 0)
			return r;
		if (site.state != ARCH_ENTRY_NOT_PATCHABLE)
			return 1;
	}
	return 0;
}

int elf_file_livepatchable(struct elf_file *f)
{
	GElf_Shdr shdr;
	if (has_section(f, "__patchable_function_entries"))
		return 1;
	Elf_Scn *scn = section_by_type(f->elf, SHT_SYMTAB, &shdr);
	if (!scn)
		scn = section_by_type(f->elf, SHT_DYNSYM, &shdr);
	return scn ? symtab_any_patchable(f, scn) : 0;
}

int elf_file_debug_open(const char *path, const uint8_t *id, size_t len, struct elf_file *ret_f)
{
	const uint8_t *did;
	size_t dlen;
	int r = elf_file_open(path, ret_f);
	if (r < 0)
		return r;
	if (elf_file_buildid(ret_f, &did, &dlen) < 0 || dlen != len || memcmp(did, id, len) != 0) {
		elf_file_release(ret_f);
		return -ULP_E_BUILDID;
	}
	return 0;
}

int elf_file_debug_find(struct elf_file *f, const char *path, char found[PATH_MAX], struct elf_file *ret_f)
{
	const uint8_t *id;
	size_t len;
	if (elf_file_buildid(f, &id, &len) < 0 || len < 2 || len > 64)
		return -ENOENT;
	char hex[2 * 64 + 1];
	hex_encode(id, len, hex);
	snprintf(found, PATH_MAX, DEBUG_ROOT "/.build-id/%.2s/%s.debug", hex, hex + 2);
	if (elf_file_debug_open(found, id, len, ret_f) == 0)
		return 0;
	GElf_Word crc;
	const char *link = dwelf_elf_gnu_debuglink(f->elf, &crc);
	char *real = link ? realpath(path, NULL) : NULL;
	if (!real)
		return -ENOENT;
	char *slash = strrchr(real, '/');
	*slash = '\0';
	const char *fmts[] = { "%s/%s", "%s/.debug/%s", DEBUG_ROOT "%s/%s" };
	int r = -ENOENT;
	for (size_t i = 0; r < 0 && i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		snprintf(found, PATH_MAX, fmts[i], real, link);
		if (strcmp(found, path) != 0)
			r = elf_file_debug_open(found, id, len, ret_f);
	}
	free(real);
	return r;
}

bool elf_file_writable(struct elf_file *f, uint64_t addr, uint64_t len)
{
	size_t n;
	bool writable = false;
	if (elf_getphdrnum(f->elf, &n) < 0 || addr + len < addr)
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(f->elf, (int)i, &ph))
			continue;
		bool inside = addr >= ph.p_vaddr && addr + len <= ph.p_vaddr + ph.p_memsz;
		bool overlaps = addr < ph.p_vaddr + ph.p_memsz && addr + len > ph.p_vaddr;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W) && inside)
			writable = true;
		if (ph.p_type == PT_GNU_RELRO && overlaps)
			return false;
	}
	return writable;
}
