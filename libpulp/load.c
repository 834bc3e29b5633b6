/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load.c - loading a patch into this process: read and validate its
 * container, find the target object it was built for (by build-id), load
 * the patch object with dlopen(RTLD_NOW) and resolve the address of every
 * old and new function.  Nothing in the target's code changes here; the
 * write set is built later (txn.c) and written by the controller.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "libpulp/internal.h"
#include "libpulp/procmaps.h"

/* A loaded object's segments: its load base and program headers. */
struct segments {
	uint64_t base;
	const ElfW(Phdr) * phdr;
	ElfW(Half) phnum;
};

/* The object a container targets, as found among the loaded ones. */
struct target_match {
	const struct container *c;
	bool name_seen;
	bool found;
	struct segments seg;
	size_t tls_modid; /* 0: the target has no TLS block */
};

static struct segments segments_of(const struct dl_phdr_info *info)
{
	return (struct segments){ .base = info->dlpi_addr, .phdr = info->dlpi_phdr, .phnum = info->dlpi_phnum };
}

/*
 * Whether [addr, addr+len) lies in one PT_LOAD segment of @sg with
 * permission @flag: PF_X (code), or PF_W (data, which must also stay
 * writable after relocation: outside PT_GNU_RELRO).
 */
static bool segments_cover(const struct segments *sg, uint64_t addr, uint64_t len, ElfW(Word) flag)
{
	bool inside = false;
	for (ElfW(Half) i = 0; i < sg->phnum; i++) {
		const ElfW(Phdr) *ph = &sg->phdr[i];
		uint64_t start = sg->base + ph->p_vaddr, end = start + ph->p_memsz;
		if (ph->p_type == PT_LOAD && (ph->p_flags & flag) && addr >= start && addr + len <= end)
			inside = true;
		if (flag == PF_W && ph->p_type == PT_GNU_RELRO && addr < end && addr + len > start)
			return false;
	}
	return inside;
}

static int segments_at_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct segments *sg = data;
	(void)size;
	if (info->dlpi_addr != sg->base)
		return 0;
	*sg = segments_of(info);
	return 1;
}

/* The segments of the object loaded at @base (none if there is none). */
static struct segments segments_at(uint64_t base)
{
	struct segments sg = { .base = base };
	dl_iterate_phdr(segments_at_cb, &sg);
	return sg;
}

static int file_read_all(int fd, uint8_t **ret_buf, size_t *ret_len)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0)
		return -ULP_E_NOT_ELF;
	uint8_t *buf = malloc((size_t)st.st_size);
	if (!buf)
		return -ENOMEM;
	size_t done = 0;
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + done, (size_t)st.st_size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int r = n < 0 ? -errno : -ULP_E_MALFORMED;
			free(buf);
			return r;
		}
		done += (size_t)n;
	}
	*ret_buf = buf;
	*ret_len = done;
	return 0;
}

/* The GNU build-id note of a loaded object, from its mapped PT_NOTEs. */
static bool object_buildid(const struct dl_phdr_info *info, const uint8_t **ret_id, uint32_t *ret_len)
{
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_NOTE &&
		    container_notes_buildid(ptr_of(info->dlpi_addr + ph->p_vaddr), ph->p_memsz, ret_id, ret_len) == 0)
			return true;
	}
	return false;
}

static int target_match_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct target_match *m = data;
	(void)size;
	/* The main program has no name here; target_find() looks it up only
	 * if its message needs it. */
	if (info->dlpi_name && *info->dlpi_name && container_target_matches(m->c->target_name, info->dlpi_name))
		m->name_seen = true;

	const uint8_t *id;
	uint32_t len;
	if (!object_buildid(info, &id, &len) || len != m->c->buildid_len || memcmp(id, m->c->buildid, len) != 0)
		return 0;
	m->found = true;
	m->seg = segments_of(info);
	m->tls_modid = info->dlpi_tls_modid;
	return 1;
}

static int target_find(const struct container *c, struct target_match *m)
{
	*m = (struct target_match){ .c = c };
	dl_iterate_phdr(target_match_cb, m);
	if (m->found)
		return 0;
	char exe[256];
	ssize_t n = readlink("/proc/thread-self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		m->name_seen |= container_target_matches(c->target_name, exe);
	}
	if (m->name_seen)
		return runtime_fail(-ULP_E_BUILDID,
				    "'%s' is loaded but its build-id differs from the patch's: buildid mismatch",
				    c->target_name);
	return runtime_fail(-ULP_E_TARGET_NOT_LOADED, "target library '%s' is not loaded", c->target_name);
}

/* The whole of a /proc file from @fd, NUL-terminated (its size is unknown ahead). */
static int proc_file_read(int fd, char **ret_text)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap);
	ssize_t n = 0;
	while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				free(buf);
			buf = bigger;
			cap *= 2;
		}
	}
	if (!buf || n < 0) {
		free(buf);
		return -ENOMEM;
	}
	buf[len] = '\0';
	*ret_text = buf;
	return 0;
}

/* The device and inode of the mapping that holds @addr, from the text of
 * /proc/thread-self/maps. */
static bool maps_text_lookup(int fd, uint64_t addr, unsigned *ret_major, unsigned *ret_minor, uint64_t *ret_ino)
{
	char *maps = NULL;
	if (proc_file_read(fd, &maps) < 0)
		return false;
	bool found = maps_text_find(maps, addr, ret_major, ret_minor, ret_ino);
	free(maps);
	return found;
}

/*
 * PROCMAP_QUERY (Linux 6.11): one mapping by address through an ioctl on
 * /proc/thread-self/maps, without the kernel formatting every line.  The layout
 * is the kernel's (include/uapi/linux/fs.h), defined here because older
 * headers lack it; an older kernel answers ENOTTY and the text is read.
 */
struct procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define PROCMAP_QUERY_IOCTL _IOWR('f', 17, struct procmap_query)

/* Whether the mapping that holds @addr is of the file @st describes.
 * thread-self, not self: once the main thread has called pthread_exit(),
 * /proc/self/maps (the main thread's) is empty. */
static bool mapping_is_file(uint64_t addr, const struct stat *st)
{
	int fd = open("/proc/thread-self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct procmap_query q = { .size = sizeof(q), .query_addr = addr };
	unsigned maj = 0, min = 0;
	uint64_t ino = 0;
	bool found;
	if (ioctl(fd, PROCMAP_QUERY_IOCTL, &q) == 0) {
		found = addr >= q.vma_start && addr < q.vma_end;
		maj = q.dev_major;
		min = q.dev_minor;
		ino = q.inode;
	} else {
		found = maps_text_lookup(fd, addr, &maj, &min, &ino);
	}
	close(fd);
	return found && maj == major(st->st_dev) && min == minor(st->st_dev) && ino == st->st_ino;
}

/*
 * dlopen the patch by its path, so that debuggers and profilers find it
 * by a real name, then check that what got mapped is the file whose
 * digest was checked through @fd: a file swapped in between is refused.
 */
static int patch_dlopen(int fd, const char *path, void **ret_handle, uint64_t *ret_base)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return runtime_fail(-errno, "cannot stat '%s': %s", path, strerror(errno));
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		return runtime_fail(-ULP_E_DLOPEN, "cannot load '%s': %s", path, e ? e : "unknown error");
	}
	struct link_map *lm = NULL;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) < 0 || !lm) {
		dlclose(h);
		return runtime_fail(-ULP_E_DLOPEN, "cannot find where '%s' was loaded", path);
	}
	if (!mapping_is_file(addr_of(lm->l_ld), &st)) {
		dlclose(h);
		return runtime_fail(-ULP_E_DIGEST, "'%s' was replaced while being loaded; retry", path);
	}
	*ret_handle = h;
	*ret_base = lm->l_addr;
	return 0;
}

static char *strdup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* A record never inserted in the registry, with what it owns. */
static void patch_free(struct ulp_patch *p)
{
	if (!p)
		return;
	uint64_t *comments = ptr_of(p->comments);
	for (uint32_t i = 0; comments && i < p->ncomments; i++)
		free(ptr_of(comments[i]));
	free(comments);
	free(ptr_of(p->path));
	free(ptr_of(p->target));
	free(p);
}

/* Allocate the registry record: one block for the record and its sites. */
static struct ulp_patch *patch_alloc(const struct container *c, const char *path)
{
	struct ulp_patch *p =
		calloc(1, sizeof(*p) + c->nfuncs * sizeof(struct ulp_site) + ULP_HOOKS * sizeof(uint64_t));
	uint64_t *comments = calloc(c->ncomments + 1, sizeof(uint64_t));
	if (!p || !comments) {
		free(p);
		free(comments);
		return NULL;
	}
	p->comments = addr_of(comments);
	p->ncomments = c->ncomments;
	p->path = addr_of(strdup_or_empty(path));
	p->target = addr_of(strdup_or_empty(c->target_name));
	bool ok = p->path && p->target;
	for (uint32_t i = 0; ok && i < c->ncomments; i++)
		ok = (comments[i] = addr_of(strdup_or_empty(c->comments[i]))) != 0;
	if (!ok) {
		patch_free(p);
		return NULL;
	}
	p->sites = addr_of(p + 1);
	p->nsites = c->nfuncs;
	return p;
}

static int sites_resolve(struct ulp_patch *p, const struct container *c, const struct target_match *m,
			 const struct segments *patch)
{
	struct ulp_site *sites = ptr_of(p->sites);
	for (uint32_t i = 0; i < c->nfuncs; i++) {
		const struct container_func *f = &c->funcs[i];
		struct ulp_site *s = &sites[i];
		s->old_addr = m->seg.base + f->old_off;
		s->old_size = f->old_size;
		s->new_addr = patch->base + f->new_off;
		s->new_size = f->new_size;
		s->site_addr = s->old_addr - ARCH_PAD_BEFORE;
		if (!segments_cover(&m->seg, s->site_addr, ARCH_WINDOW_LEN, PF_X))
			return runtime_fail(-ULP_E_NOT_PATCHABLE,
					    "function '%s' of '%s' is not in its executable code (offset 0x%llx)",
					    f->old_name, c->target_name, (unsigned long long)f->old_off);
		if (!segments_cover(patch, s->new_addr, 1, PF_X))
			return runtime_fail(-ULP_E_SYMBOL, "new function '%s' is not code of the patch object",
					    f->new_name);
	}
	return 0;
}

/* Where the original body of the replaced function at @entry continues. */
static int original_body(const struct ulp_site *s, uint64_t *ret_addr)
{
	struct arch_site a;
	arch_site_classify(ptr_of(s->site_addr), &a);
	if (a.state == ARCH_ENTRY_NOT_PATCHABLE)
		return -ULP_E_NOT_PATCHABLE;
	*ret_addr = s->old_addr + arch_site_body_off(&a);
	return 0;
}

/*
 * Fill the patch's variables named by the container's references, and
 * note its hooks.  Runs before the patch is in service: nothing of it
 * runs yet (but its constructors, which must not use references).
 */
static int refs_resolve(struct ulp_patch *p, const struct container *c, const struct target_match *m,
			const struct segments *patch)
{
	uint64_t *hooks = patch_hooks(p);
	for (uint32_t i = 0; i < c->nrefs; i++) {
		const struct container_ref *ref = &c->refs[i];
		uint64_t dest = patch->base + ref->patch_off, value[2] = { m->seg.base + ref->target_off, 0 };
		if (container_ref_is_hook(ref->kind)) {
			if (!segments_cover(patch, dest, 1, PF_X))
				return runtime_fail(-ULP_E_SYMBOL, "hook '%s' is not code of the patch object",
						    ref->patch_sym);
			hooks[ref->kind - CONTAINER_REF_PRE_PATCH] = dest;
			continue;
		}
		size_t len = ref->kind == CONTAINER_REF_TLS ? 16 : 8;
		if (!segments_cover(patch, dest, len, PF_W))
			return runtime_fail(-ULP_E_SYMBOL, "reference '%s' does not name writable data of the patch",
					    ref->patch_sym);
		if (ref->kind == CONTAINER_REF_TLS) {
			if (!m->tls_modid)
				return runtime_fail(-ULP_E_SYMBOL, "'%s' has no thread-local storage for '%s'",
						    c->target_name, ref->target_sym);
			value[0] = m->tls_modid;
			value[1] = ref->target_off;
		} else if (ref->kind == CONTAINER_REF_ORIGINAL) {
			struct ulp_site *s = patch_site_find(p, m->seg.base + ref->target_off);
			if (!s || original_body(s, &value[0]) < 0)
				return runtime_fail(-ULP_E_NOT_PATCHABLE, "cannot find the original body of '%s'",
						    ref->target_sym);
		}
		memcpy(ptr_of(dest), value, len);
	}
	return 0;
}

int patch_load(const char *path, const uint8_t id[ULP_ID_LEN], struct ulp_patch **ret_patch)
{
	struct container c = CONTAINER_INIT;
	struct target_match m;
	uint8_t *file = NULL;
	size_t len = 0;
	void *handle = NULL;
	uint64_t patch_base = 0;
	struct ulp_patch *p = NULL;
	int r;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = runtime_fail(-errno, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	r = file_read_all(fd, &file, &len);
	if (r == 0)
		r = container_parse(file, len, &c);
	if (r < 0) {
		runtime_fail(r, "'%s': %s", path, ulp_strerror(r));
		goto out;
	}
	if (memcmp(c.digest, id, ULP_ID_LEN) != 0) {
		r = runtime_fail(-ULP_E_DIGEST, "'%s' changed while being applied", path);
		goto out;
	}
	r = target_find(&c, &m);
	if (r < 0)
		goto out;
	r = patch_dlopen(fd, path, &handle, &patch_base);
	if (r < 0)
		goto out;
	p = patch_alloc(&c, path);
	if (!p) {
		r = runtime_fail(-ENOMEM, "out of memory loading '%s'", path);
		goto out;
	}
	struct segments patch = segments_at(patch_base);
	r = sites_resolve(p, &c, &m, &patch);
	if (r == 0)
		r = refs_resolve(p, &c, &m, &patch);
	if (r < 0)
		goto out;

	memcpy(p->id, id, ULP_ID_LEN);
	p->state = ULP_PATCH_LOADED;
	p->load_time = runtime_now(NULL);
	registry_insert(p);
	msg_log("loaded '%s' for '%s' (%u functions)", path, c.target_name, c.nfuncs);
	*ret_patch = p;
	p = NULL;
	handle = NULL;
out:
	/* A patch object that failed validation is unloaded again: nothing
	 * of it can be running, no trampoline points into it. */
	if (handle)
		dlclose(handle);
	patch_free(p);
	free(file);
	container_release(&c);
	if (fd >= 0)
		close(fd);
	return r;
}
