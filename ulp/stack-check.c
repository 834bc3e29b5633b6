/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stack-check.c - unwinding every stopped thread and deciding whether the
 * switch may happen now.
 *
 * libunwind's ptrace accessors read target memory one word per system
 * call; a deep stack costs thousands of them while the whole process is
 * stopped.  Here memory reads go through a page cache filled from
 * /proc/PID/mem (one pread per 4 KiB page), emptied at each check because
 * the stacks change between stops; everything else is delegated to the
 * _UPT accessors.  One libunwind address space with global caching lives
 * as long as the checker, so unwind tables found in one attempt serve
 * the next.
 */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <libunwind-ptrace.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "arch/arch.h"
#include "libpulp/ulp-errors.h"
#include "ulp/objects.h"
#include "ulp/proc.h"
#include "ulp/remote.h"
#include "ulp/stack-check.h"

#define PAGE_SIZE_4K 4096u
#define CACHE_PAGES  512u /* 2 MiB: stacks of tens of thousands of frames */
#define MAX_FRAMES   100000u

struct page_cache {
	uint64_t generation;
	uint64_t tag[CACHE_PAGES]; /* page address */
	uint64_t gen[CACHE_PAGES]; /* generation the entry was filled in */
	uint8_t *data;
};

struct thread_unwind {
	pid_t tid;
	void *upt;
};

/*
 * Where an object's unwind information is: its .eh_frame_hdr search table,
 * read in the target's memory (PT_GNU_EH_FRAME), so that finding the
 * entry for an address costs a binary search over cached pages instead of
 * re-reading /proc/PID/maps and mapping the ELF file as _UPT does.
 */
struct unwind_table {
	unw_dyn_info_t di;
};

/* A read-only segment of an object, read from ulp's mapping of its file. */
struct ro_span {
	uint64_t start, end; /* in the target */
	const uint8_t *data; /* the bytes of @start */
};

struct stack_checker {
	struct remote mem; /* the checker's own handle on the process's memory */
	struct unwind_table *tables;
	size_t ntables;
	struct ro_span *spans; /* sorted by address */
	size_t nspans;
	unw_addr_space_t as;
	struct page_cache cache;
	struct thread_unwind *threads;
	size_t nthreads, alloc;
	struct stack_range *ranges;
	size_t nranges;
	uint64_t stubs_start, stubs_end; /* the runtime's stubs: never consistent */
};

static int cache_page(struct page_cache *pc, const struct remote *mem, uint64_t page, const uint8_t **ret)
{
	size_t slot = (page / PAGE_SIZE_4K) % CACHE_PAGES;
	uint8_t *buf = pc->data + slot * PAGE_SIZE_4K;
	if (pc->gen[slot] != pc->generation || pc->tag[slot] != page) {
		if (remote_read(mem, page, buf, PAGE_SIZE_4K) < 0)
			return -EFAULT;
		pc->tag[slot] = page;
		pc->gen[slot] = pc->generation;
	}
	*ret = buf;
	return 0;
}

static int cache_read(struct page_cache *pc, const struct remote *mem, uint64_t addr, uint8_t *out, size_t len)
{
	while (len > 0) {
		uint64_t page = addr & ~(uint64_t)(PAGE_SIZE_4K - 1);
		size_t off = (size_t)(addr - page), n = PAGE_SIZE_4K - off < len ? PAGE_SIZE_4K - off : len;
		const uint8_t *p;
		if (cache_page(pc, mem, page, &p) < 0)
			return -EFAULT;
		memcpy(out, p + off, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

/*
 * --- accessors: memory from the cache, the rest from _UPT ---
 *
 * The accessors' argument must be the _UPT handle itself: _UPT's own
 * functions call back into the address space's accessors with it.  So the
 * page cache cannot travel in the argument; it is the one of the check
 * running now (checks do not run concurrently: one controller thread).
 */
static struct stack_checker *checker_now;

/* libunwind's table search, exported by libunwind but not declared. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip, unw_dyn_info_t *di,
					      unw_proc_info_t *pi, int need_unwind_info, void *arg);

static const struct ro_span *span_find(const struct stack_checker *sc, uint64_t addr, size_t len)
{
	size_t lo = 0, hi = sc->nspans;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ro_span *sp = &sc->spans[mid];
		if (addr < sp->start)
			hi = mid;
		else if (addr >= sp->end)
			lo = mid + 1;
		else
			return addr + len <= sp->end ? sp : NULL;
	}
	return NULL;
}

static int acc_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	(void)as;
	(void)arg;
	if (write || !checker_now)
		return -UNW_EINVAL; /* the check only looks */
	const struct ro_span *sp = span_find(checker_now, addr, sizeof(*val));
	if (sp) {
		memcpy(val, sp->data + (addr - sp->start), sizeof(*val));
		return 0;
	}
	return cache_read(&checker_now->cache, &checker_now->mem, addr, (uint8_t *)val, sizeof(*val)) < 0 ? -UNW_EINVAL
													  : 0;
}

static const struct unwind_table *table_find(const struct stack_checker *sc, uint64_t ip)
{
	for (size_t i = 0; sc && i < sc->ntables; i++)
		if (ip >= sc->tables[i].di.start_ip && ip < sc->tables[i].di.end_ip)
			return &sc->tables[i];
	return NULL;
}

static int acc_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi, int need, void *arg)
{
	const struct unwind_table *t = table_find(checker_now, ip);
	if (t)
		return UNW_OBJ(dwarf_search_unwind_table)(as, ip, (unw_dyn_info_t *)&t->di, pi, need, arg);
	return _UPT_find_proc_info(as, ip, pi, need, arg);
}

static void acc_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	_UPT_put_unwind_info(as, pi, arg);
}

static int acc_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	return _UPT_get_dyn_info_list_addr(as, addr, arg);
}

static int acc_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write, void *arg)
{
	return _UPT_access_reg(as, reg, val, write, arg);
}

static int acc_access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write, void *arg)
{
	return _UPT_access_fpreg(as, reg, val, write, arg);
}

static int acc_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as;
	(void)c;
	(void)arg;
	return -UNW_EINVAL; /* never resume through libunwind */
}

static int acc_get_proc_name(unw_addr_space_t as, unw_word_t ip, char *buf, size_t len, unw_word_t *off, void *arg)
{
	return _UPT_get_proc_name(as, ip, buf, len, off, arg);
}

static unw_accessors_t accessors = {
	.find_proc_info = acc_find_proc_info,
	.put_unwind_info = acc_put_unwind_info,
	.get_dyn_info_list_addr = acc_get_dyn_info_list_addr,
	.access_mem = acc_access_mem,
	.access_reg = acc_access_reg,
	.access_fpreg = acc_access_fpreg,
	.resume = acc_resume,
	.get_proc_name = acc_get_proc_name,
};

/* --- unwind tables of the loaded objects --- */

/*
 * Unwinding reads an object's .eh_frame_hdr and .eh_frame, which lie in
 * its read-only segment: the same bytes as in the file.  They are read
 * from ulp's own read-only mapping of that file, made once per file and
 * shared by every process and every stop of a trigger, instead of page by
 * page through /proc/PID/mem (which also faulted into the target pages it
 * had never touched).  Only segments the ELF program headers say are
 * neither writable nor executable: RELRO data is relocated in memory, and
 * code may carry trampolines.  A file that is not the one mapped (its
 * device or inode differ, e.g. replaced by an upgrade) is not used.
 */
#define FILE_VIEWS 64

struct file_view {
	uint64_t dev, inode; /* as in /proc/PID/maps */
	const uint8_t *data; /* NULL: could not be mapped, read the target */
	size_t size;
};

static struct file_view file_views[FILE_VIEWS];
static unsigned nfile_views;

static const struct file_view *file_view_get(pid_t pid, const struct proc_map *m)
{
	for (unsigned i = 0; i < nfile_views; i++)
		if (file_views[i].inode == m->inode && file_views[i].dev == m->dev)
			return file_views[i].data ? &file_views[i] : NULL;
	if (nfile_views == FILE_VIEWS)
		return NULL;
	struct file_view *v = &file_views[nfile_views++];
	*v = (struct file_view){ .dev = m->dev, .inode = m->inode };
	int fd = proc_map_open(pid, m);
	struct stat st;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_ino == m->inode &&
	    ((uint64_t)major(st.st_dev) << 32 | minor(st.st_dev)) == m->dev) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			v->data = p;
			v->size = (size_t)st.st_size;
		}
	}
	close(fd);
	return v->data ? v : NULL;
}

static int span_cmp(const void *a, const void *b)
{
	const struct ro_span *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* The read-only segments of the object mapped at @m, as spans of its file. */
static void spans_add(struct stack_checker *sc, const struct remote *mem, const struct proc_map *m, size_t *alloc)
{
	Elf64_Phdr ph[OBJECT_PHDR_MAX];
	unsigned n;
	uint64_t bias;
	if (!m->inode || object_phdrs(mem, m, ph, &n, &bias) < 0)
		return;
	const struct file_view *v = NULL;
	for (unsigned i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & (PF_W | PF_X)) || !ph[i].p_filesz ||
		    ph[i].p_offset > SIZE_MAX || ph[i].p_filesz > SIZE_MAX)
			continue;
		if (!v && !(v = file_view_get(sc->mem.pid, m)))
			return;
		if (ph[i].p_offset > v->size || ph[i].p_filesz > v->size - ph[i].p_offset)
			continue;
		if (sc->nspans == *alloc) {
			size_t more = *alloc ? 2 * *alloc : 16;
			struct ro_span *p = realloc(sc->spans, more * sizeof(*p));
			if (!p)
				return;
			sc->spans = p;
			*alloc = more;
		}
		sc->spans[sc->nspans++] = (struct ro_span){ .start = bias + ph[i].p_vaddr,
							    .end = bias + ph[i].p_vaddr + ph[i].p_filesz,
							    .data = v->data + ph[i].p_offset };
	}
}

#define DW_EH_PE_udata4	 0x03
#define DW_EH_PE_sdata4	 0x0b
#define DW_EH_PE_datarel 0x30
#define EH_HDR_LEN	 12 /* version, 3 encodings, eh_frame_ptr (4), fde_count (4) */
#define EH_ENTRY_LEN	 8

/*
 * The exec range and search table of one mapped object; 0 if it has one.
 * The table's header is read from the object's read-only spans when they
 * hold it (no system call), else from memory.
 */
static int table_of(const struct stack_checker *sc, const struct remote *mem, const struct proc_map *map,
		    unw_dyn_info_t *ret)
{
	Elf64_Phdr ph[OBJECT_PHDR_MAX];
	unsigned n;
	uint64_t bias, lo = UINT64_MAX, hi = 0, hdr = 0;
	int r = object_phdrs(mem, map, ph, &n, &bias);
	for (unsigned i = 0; r == 0 && i < n; i++) {
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			hdr = bias + ph[i].p_vaddr;
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) {
			lo = bias + ph[i].p_vaddr < lo ? bias + ph[i].p_vaddr : lo;
			hi = bias + ph[i].p_vaddr + ph[i].p_memsz > hi ? bias + ph[i].p_vaddr + ph[i].p_memsz : hi;
		}
	}
	uint8_t h[EH_HDR_LEN];
	const struct ro_span *sp = r == 0 && hdr ? span_find(sc, hdr, sizeof(h)) : NULL;
	if (sp)
		memcpy(h, sp->data + (hdr - sp->start), sizeof(h));
	if (r < 0 || !hdr || lo >= hi || (!sp && remote_read(mem, hdr, h, sizeof(h)) < 0))
		return -ENOENT;
	/* The layout every linker writes; anything else is left to _UPT. */
	if (h[0] != 1 || (h[1] & 0x0f) != DW_EH_PE_sdata4 || h[2] != DW_EH_PE_udata4 ||
	    h[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4))
		return -ENOENT;
	uint32_t count = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
	*ret = (unw_dyn_info_t){
		.start_ip = lo,
		.end_ip = hi,
		.format = UNW_INFO_FORMAT_REMOTE_TABLE,
		.u.rti = { .segbase = hdr,
			   .table_data = hdr + EH_HDR_LEN,
			   .table_len = (uint64_t)count * EH_ENTRY_LEN / sizeof(unw_word_t) },
	};
	return 0;
}

static void tables_build(struct stack_checker *sc, const struct proc_maps *maps)
{
	size_t alloc = 0;
	free(sc->spans);
	sc->spans = NULL;
	sc->nspans = 0;
	for (size_t i = 0; i < maps->n; i++)
		if (maps->maps[i].offset == 0 && maps->maps[i].path[0] == '/')
			spans_add(sc, &sc->mem, &maps->maps[i], &alloc);
	qsort(sc->spans, sc->nspans, sizeof(*sc->spans), span_cmp);

	free(sc->tables);
	sc->ntables = 0;
	sc->tables = calloc(maps->n ? maps->n : 1, sizeof(*sc->tables));
	for (size_t i = 0; sc->tables && i < maps->n; i++) {
		const struct proc_map *m = &maps->maps[i];
		if (m->offset == 0 && (m->path[0] == '/' || strcmp(m->path, "[vdso]") == 0) &&
		    table_of(sc, &sc->mem, m, &sc->tables[sc->ntables].di) == 0)
			sc->ntables++;
	}
}

/* --- the checker --- */

int stack_checker_new(const struct remote *mem, const struct proc_maps *maps, struct stack_checker **ret)
{
	struct stack_checker *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	sc->mem = (struct remote)REMOTE_INIT;
	int r = remote_dup(mem, &sc->mem);
	sc->cache.data = malloc((size_t)CACHE_PAGES * PAGE_SIZE_4K);
	sc->as = unw_create_addr_space(&accessors, 0);
	if (r == 0 && (!sc->cache.data || !sc->as || stack_checker_set_ranges(sc, NULL, 0) < 0))
		r = -ENOMEM;
	if (r < 0) {
		stack_checker_free(sc);
		return r;
	}
	unw_set_caching_policy(sc->as, UNW_CACHE_GLOBAL);
	tables_build(sc, maps);
	*ret = sc;
	return 0;
}

void stack_checker_free(struct stack_checker *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nthreads; i++)
		_UPT_destroy(sc->threads[i].upt);
	free(sc->threads);
	if (sc->as)
		unw_destroy_addr_space(sc->as);
	remote_close(&sc->mem);
	free(sc->cache.data);
	free(sc->ranges);
	free(sc->tables);
	free(sc->spans);
	free(sc);
}

/* The per-thread libunwind state, kept across attempts (it caches the
 * object it last read unwind tables from). */
static struct thread_unwind *thread_unwind_get(struct stack_checker *sc, pid_t tid)
{
	for (size_t i = 0; i < sc->nthreads; i++)
		if (sc->threads[i].tid == tid)
			return &sc->threads[i];
	if (sc->nthreads == sc->alloc) {
		size_t alloc = sc->alloc ? 2 * sc->alloc : 16;
		struct thread_unwind *t = realloc(sc->threads, alloc * sizeof(*t));
		if (!t)
			return NULL;
		sc->threads = t;
		sc->alloc = alloc;
	}
	void *upt = _UPT_create(tid);
	if (!upt)
		return NULL;
	sc->threads[sc->nthreads] = (struct thread_unwind){ .tid = tid, .upt = upt };
	return &sc->threads[sc->nthreads++];
}

static const struct stack_range *range_find(const struct stack_checker *sc, uint64_t addr)
{
	for (size_t i = 0; i < sc->nranges; i++)
		if (addr >= sc->ranges[i].start && addr < sc->ranges[i].end)
			return &sc->ranges[i];
	return NULL;
}

__attribute__((format(printf, 4, 5))) static void unreliable(struct stack_finding *f, unsigned frame, uint64_t ip,
							     const char *fmt, ...)
{
	va_list ap;
	f->verdict = STACK_UNRELIABLE;
	f->frame = frame;
	f->ip = ip;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

/*
 * A walk that cannot go on: a thread already found inside a range is
 * reported as inside (where it returns to is unknown); otherwise the
 * stack is not reliable.
 */
__attribute__((format(printf, 5, 6))) static void thread_verdict(struct stack_finding *f,
								 const struct stack_finding *inside, unsigned frame,
								 uint64_t ip, const char *fmt, ...)
{
	char why[sizeof(f->why)];
	va_list ap;
	if (inside->verdict == STACK_INSIDE) {
		*f = *inside;
		f->return_to = 0;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	unreliable(f, frame, ip, "%s", why);
}

/*
 * Walk one stopped thread.  Frame 0's address, and the address of a frame
 * a signal interrupted, are exact; other frames hold return addresses,
 * which point after the call: the call itself is at ip - 1.
 */
static void thread_check(struct stack_checker *sc, struct thread_unwind *tu, struct stack_finding *f)
{
	unw_cursor_t c;
	*f = (struct stack_finding){ .verdict = STACK_CONSISTENT, .tid = tu->tid };
	int r = unw_init_remote(&c, sc->as, tu->upt);
	if (r < 0)
		return unreliable(f, 0, 0, "cannot start unwinding (libunwind error %d)", r);
	bool exact = true, in_prev = false;
	/* The innermost frame inside a range names the culprit; the walk goes
	 * on to find where the outermost such frame returns to. */
	struct stack_finding inside = { .verdict = STACK_CONSISTENT };
	for (unsigned n = 0; n < MAX_FRAMES; n++) {
		unw_word_t ip;
		unw_proc_info_t pi;
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0)
			return thread_verdict(f, &inside, n, 0, "cannot read the address of frame %u", n);
		uint64_t at = exact ? ip : ip - 1;
		/* A thread of an earlier ulp's borrow or run-out (its controller
		 * died): the stub hides the frames beneath it. */
		if (at >= sc->stubs_start && at <= sc->stubs_end && sc->stubs_end)
			return thread_verdict(f, &inside, n, at, "frame %u is in a stub of the live patching runtime",
					      n);
		const struct stack_range *in = range_find(sc, at);
		if (in && inside.verdict == STACK_CONSISTENT)
			inside = (struct stack_finding){
				.verdict = STACK_INSIDE, .tid = tu->tid, .ip = at, .frame = n, .func = in->name
			};
		if (!in && in_prev) {
			unw_word_t sp = 0;
			inside.return_to = ip;
			inside.return_slot = unw_get_reg(&c, UNW_REG_SP, &sp) == 0 ? arch_return_slot(sp) : 0;
		} else if (in) {
			inside.return_to = 0;
		}
		in_prev = in != NULL;
		/* Look the call site up in the tables directly: unw_get_proc_info()
		 * on x86_64 invents a one-byte entry when there is no FDE, and
		 * unw_step() then guesses from the frame pointer and may end the
		 * walk early, which would read as a complete stack. */
		if (unw_get_proc_info_by_ip(sc->as, at, &pi, tu->upt) < 0)
			return thread_verdict(f, &inside, n, at, "no unwind information for frame %u", n);
		exact = unw_is_signal_frame(&c) > 0;
		r = unw_step(&c);
		if (r == 0) {
			/* the outermost frame: the whole stack was seen */
			if (inside.verdict == STACK_INSIDE)
				*f = inside;
			return;
		}
		if (r < 0)
			return thread_verdict(f, &inside, n, at, "unwinding stopped at frame %u (libunwind error %d)",
					      n, r);
	}
	thread_verdict(f, &inside, MAX_FRAMES, 0, "more than %u frames", MAX_FRAMES);
}

int stack_checker_set_ranges(struct stack_checker *sc, const struct stack_range *ranges, size_t n)
{
	struct stack_range *copy = calloc(n ? n : 1, sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	if (n)
		memcpy(copy, ranges, n * sizeof(*ranges));
	free(sc->ranges);
	sc->ranges = copy;
	sc->nranges = n;
	return 0;
}

void stack_checker_set_stubs(struct stack_checker *sc, uint64_t start, uint64_t end)
{
	sc->stubs_start = start;
	sc->stubs_end = end;
}

int stack_check_thread(struct stack_checker *sc, pid_t tid, struct stack_finding *ret)
{
	struct thread_unwind *tu = thread_unwind_get(sc, tid);
	if (!tu)
		return -ENOMEM;
	sc->cache.generation++; /* other threads ran since the last read */
	checker_now = sc;
	thread_check(sc, tu, ret);
	checker_now = NULL;
	return 0;
}

int stack_check(struct stack_checker *sc, struct process *p, struct stack_finding *ret, uint64_t *ret_us,
		unsigned *ret_threads)
{
	uint64_t start = clock_us();
	unsigned n = 0;
	sc->cache.generation++; /* the stacks changed since the last stop */
	checker_now = sc;
	*ret = (struct stack_finding){ .verdict = STACK_CONSISTENT };
	int r = 0;
	for (size_t i = 0; i < p->nthreads && ret->verdict == STACK_CONSISTENT; i++) {
		if (p->threads[i].gone)
			continue;
		struct thread_unwind *tu = thread_unwind_get(sc, p->threads[i].tid);
		if (!tu) {
			r = -ENOMEM;
			break;
		}
		thread_check(sc, tu, ret);
		n++;
	}
	checker_now = NULL;
	*ret_us = clock_us() - start;
	*ret_threads = n;
	return r;
}

void stack_describe(pid_t pid, uint64_t ip, char *buf, size_t len)
{
	static char *debuginfo_path = NULL;
	const Dwfl_Callbacks cb = {
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.debuginfo_path = &debuginfo_path,
	};
	snprintf(buf, len, "0x%llx", (unsigned long long)ip);
	Dwfl *d = dwfl_begin(&cb);
	if (!d)
		return;
	Dwfl_Module *m = NULL;
	if (dwfl_linux_proc_report(d, pid) == 0 && dwfl_report_end(d, NULL, NULL) == 0)
		m = dwfl_addrmodule(d, ip);
	const char *sym = m ? dwfl_module_addrname(m, ip) : NULL;
	const char *mod = m ? dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL) : NULL;
	Dwfl_Line *line = m ? dwfl_module_getsrc(m, ip) : NULL;
	int lineno = 0;
	const char *file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (sym && file)
		snprintf(buf, len, "'%s' (%s:%d)", sym, file, lineno);
	else if (sym)
		snprintf(buf, len, "'%s' in %s (no debug information)", sym, mod ? mod : "?");
	else if (mod)
		snprintf(buf, len, "0x%llx in %s", (unsigned long long)ip, mod);
	dwfl_end(d);
}
