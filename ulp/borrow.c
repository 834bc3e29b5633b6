/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arch.h"
#include "libpulp/ulp-errors.h"
#include "ulp/borrow.h"
#include "ulp/log.h"
#include "ulp/objects.h"

#define MAX_RANGES 256

struct borrow_ranges {
	struct stack_range r[MAX_RANGES];
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

#define NHOLDERS (sizeof(lock_holders) / sizeof(lock_holders[0]))

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The table's own copy of @name (it outlives the ELF file), or NULL.
 * Every function symbol of libc is looked up: a sorted copy of the table
 * and a binary search, not 28 string comparisons each.
 */
static const char *lock_holder(const char *name)
{
	static const char *sorted[NHOLDERS];
	if (!sorted[0]) {
		memcpy(sorted, lock_holders, sizeof(sorted));
		qsort(sorted, NHOLDERS, sizeof(sorted[0]), name_cmp);
	}
	const char *const *p = bsearch(&name, sorted, NHOLDERS, sizeof(sorted[0]), name_cmp);
	return p ? *p : NULL;
}

static void range_add(struct borrow_ranges *b, uint64_t start, uint64_t end, const char *name)
{
	if (b->n < MAX_RANGES && end > start)
		b->r[b->n++] = (struct stack_range){ start, end, name };
}

/*
 * The lock holders of one C library file, as offsets from its load bias.
 * A fleet trigger meets the same libc in every process: read its symbol
 * table once per file (device, inode), not once per process.
 */
struct libc_holders {
	uint64_t dev, inode;
	struct borrow_ranges rel;
};

static struct libc_holders libc_memo;

static bool libc_symbol(const char *name, uint64_t value, uint64_t size, bool is_func, void *data)
{
	struct borrow_ranges *rel = data;
	const char *holder = is_func ? lock_holder(name) : NULL;
	if (holder)
		range_add(rel, value, value + size, holder);
	return false;
}

static void libc_ranges_add(pid_t pid, const struct remote *mem, const struct proc_map *map, struct borrow_ranges *b)
{
	uint64_t bias;
	if (object_bias(mem, map, &bias) < 0)
		return;
	if (!map->inode || libc_memo.dev != map->dev || libc_memo.inode != map->inode) {
		libc_memo = (struct libc_holders){ .dev = map->dev, .inode = map->inode };
		if (object_symbols_foreach(pid, map, libc_symbol, &libc_memo.rel) < 0)
			libc_memo = (struct libc_holders){ 0 };
	}
	for (size_t i = 0; i < libc_memo.rel.n; i++) {
		const struct stack_range *r = &libc_memo.rel.r[i];
		range_add(b, bias + r->start, bias + r->end, r->name);
	}
}

int borrow_ranges_set(struct stack_checker *sc, pid_t pid, const struct remote *mem, const struct proc_maps *maps)
{
	struct borrow_ranges *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	int r = 0;
	for (size_t i = 0; i < maps->n; i++) {
		const struct proc_map *m = &maps->maps[i];
		const char *name = path_basename(m->path);
		if (m->exec && strncmp(name, "ld-linux", 8) == 0)
			range_add(b, m->start, m->end, "the dynamic loader");
		else if (m->offset == 0 && strncmp(name, "libc.so", 7) == 0)
			libc_ranges_add(pid, mem, m, b);
	}
	if (r == 0)
		r = stack_checker_set_ranges(sc, b->r, b->n);
	free(b);
	return r;
}

/*
 * Whether the stopped thread @tid may be borrowed.  An unwind that is not
 * reliable still shows the frames it reached; a lock holder is called
 * from code it unwound past or is where the thread sits, so those frames
 * are what matters here (unlike for the switch, where doubt means no).
 */
static bool thread_borrowable(struct stack_checker *sc, pid_t tid)
{
	struct stack_finding f;
	if (stack_check_thread(sc, tid, &f) < 0)
		return false;
	if (f.verdict == STACK_INSIDE)
		log_debug("thread %d is inside %s; not borrowed", tid, f.func);
	return f.verdict != STACK_INSIDE;
}

int thread_borrow(struct process *p, struct stack_checker *sc, struct thread **ret_t)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		struct thread *t = &p->threads[i];
		int r = thread_stop(p, t, 1000);
		if (r < 0)
			return r;
		if (t->gone)
			continue;
		if (thread_borrowable(sc, t->tid)) {
			*ret_t = t;
			return 0;
		}
		thread_resume(p, t);
	}
	return process_live_threads(p) ? -ULP_E_NO_THREAD : -ULP_E_EXITED;
}
