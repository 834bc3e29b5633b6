/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <libunwind-ptrace.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arch.h"
#include "libpulp/ulp-errors.h"
#include "ulp/borrow.h"
#include "ulp/log.h"
#include "ulp/objects.h"

#define MAX_RANGES 256
#define MAX_FRAMES 512

struct range {
	uint64_t start, end;
};

struct borrow_ranges {
	struct range r[MAX_RANGES];
	size_t n;
};

/* C library functions that take locks dlopen() and malloc() need too. */
static const char *const lock_holders[] = {
	"malloc",	  "free",	   "calloc",  "realloc",	"reallocarray",	   "memalign",
	"posix_memalign", "aligned_alloc", "valloc",  "pvalloc",	"malloc_trim",	   "fork",
	"_Fork",	  "vfork",	   "dlopen",  "dlmopen",	"dlclose",	   "dlsym",
	"dlvsym",	  "dladdr",	   "dladdr1", "dlinfo",		"dl_iterate_phdr", "__libc_dlopen_mode",
	"pthread_create", "pthread_exit",  "exit",    "__cxa_finalize",
};

static bool is_lock_holder(const char *name)
{
	for (size_t i = 0; i < sizeof(lock_holders) / sizeof(lock_holders[0]); i++)
		if (strcmp(name, lock_holders[i]) == 0)
			return true;
	return false;
}

static void range_add(struct borrow_ranges *b, uint64_t start, uint64_t end)
{
	if (b->n < MAX_RANGES && end > start)
		b->r[b->n++] = (struct range){ start, end };
}

struct libc_scan {
	struct borrow_ranges *b;
	uint64_t bias;
};

static bool libc_symbol(const char *name, uint64_t value, uint64_t size, bool is_func, void *data)
{
	struct libc_scan *scan = data;
	if (is_func && is_lock_holder(name))
		range_add(scan->b, scan->bias + value, scan->bias + value + size);
	return false;
}

static void libc_ranges_add(pid_t pid, const struct remote *mem, const struct proc_map *map, struct borrow_ranges *b)
{
	struct libc_scan scan = { .b = b };
	if (object_bias(mem, map, &scan.bias) == 0)
		object_symbols_foreach(pid, map, libc_symbol, &scan);
}

int borrow_ranges_build(pid_t pid, const struct proc_maps *maps, struct borrow_ranges **ret)
{
	struct borrow_ranges *b = calloc(1, sizeof(*b));
	struct remote mem = REMOTE_INIT;
	if (!b)
		return -ENOMEM;
	int r = remote_open(pid, &mem);
	for (size_t i = 0; r == 0 && i < maps->n; i++) {
		const struct proc_map *m = &maps->maps[i];
		const char *name = path_basename(m->path);
		if (m->exec && strncmp(name, "ld-linux", 8) == 0)
			range_add(b, m->start, m->end);
		else if (m->offset == 0 && strncmp(name, "libc.so", 7) == 0)
			libc_ranges_add(pid, &mem, m, b);
	}
	remote_close(&mem);
	*ret = b;
	return 0;
}

void borrow_ranges_free(struct borrow_ranges *b)
{
	free(b);
}

static bool in_ranges(const struct borrow_ranges *b, uint64_t ip)
{
	for (size_t i = 0; i < b->n; i++)
		if (ip >= b->r[i].start && ip < b->r[i].end)
			return true;
	return false;
}

/*
 * Whether any frame of the stopped thread @tid lies in a lock holder.
 * Return addresses point after the call, so ip - 1 is checked for callers.
 * An unwind that fails part-way checks the frames it reached: a thread
 * in a lock holder called it from code we unwound past, or sits in it.
 */
static bool stack_holds_lock(pid_t tid, const struct borrow_ranges *b)
{
	uint64_t ip;
	if (arch_thread_ip(tid, &ip) < 0 || in_ranges(b, ip))
		return true;
	unw_addr_space_t as = unw_create_addr_space(&_UPT_accessors, 0);
	void *ui = as ? _UPT_create(tid) : NULL;
	unw_cursor_t c;
	bool held = false;
	if (ui && unw_init_remote(&c, as, ui) == 0) {
		for (int n = 0; n < MAX_FRAMES && unw_step(&c) > 0; n++) {
			unw_word_t w;
			if (unw_get_reg(&c, UNW_REG_IP, &w) < 0 || w == 0)
				break;
			if (in_ranges(b, (uint64_t)w - 1)) {
				held = true;
				break;
			}
		}
	}
	if (ui)
		_UPT_destroy(ui);
	if (as)
		unw_destroy_addr_space(as);
	return held;
}

int thread_borrow(struct process *p, const struct borrow_ranges *b, struct thread **ret_t)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		struct thread *t = &p->threads[i];
		int r = thread_stop(p, t, 1000);
		if (r < 0)
			return r;
		if (t->gone)
			continue;
		if (!stack_holds_lock(t->tid, b)) {
			*ret_t = t;
			return 0;
		}
		log_debug("thread %d of process %d is in the loader or allocator; not borrowed", t->tid, p->pid);
		thread_resume(p, t);
	}
	return process_live_threads(p) ? -ULP_E_NO_THREAD : -ULP_E_EXITED;
}
