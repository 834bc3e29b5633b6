/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime-harness.c - the runtime's load path without ptrace, for tools
 * that cannot follow a borrowed thread (valgrind).  With libpulp.so
 * preloaded, this program plays the controller on itself: it calls
 * fn_prepare the way a borrowed thread would and executes the write set
 * through /proc/self/mem, as ulp does.
 *
 *   runtime-harness GOOD.so TRUNCATED.so
 *
 * Steps, each checked: apply GOOD (load, resolve, prepare) and switch;
 * plain_value(5) is 1005; finish; revert and switch; plain_value(5) is 6;
 * apply GOOD again (loaded already: only prepared) and finish without
 * switching; apply with an id that is not GOOD's digest: refused; apply
 * TRUNCATED: refused.  Prints "ok" and exits 0, or says what failed.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpulp/ulp-abi.h"
#include "libs.h"
#include "packer/container.h"

typedef int64_t (*prepare_fn)(uint64_t op, const char *path, const uint8_t *id, const char *lib);

static struct ulp_runtime *rt;
static int failures;

#define CHECK(cond, ...)                                               \
	do {                                                           \
		if (!(cond)) {                                         \
			printf("FAIL: " __VA_ARGS__);                  \
			printf(" (runtime says: %s)\n", rt->last_msg); \
			failures++;                                    \
		}                                                      \
	} while (0)

static int64_t call(uint64_t op, const char *path, const uint8_t *id)
{
	prepare_fn fn = (prepare_fn)(uintptr_t)rt->fn_prepare;
	return fn(op, path, id, NULL);
}

/* What the controller does in the stop: check every before, write every after. */
static int switch_now(void)
{
	const struct ulp_txn *t = (const struct ulp_txn *)(uintptr_t)rt->txn;
	if (!t)
		return -1;
	const struct ulp_write *w = (const struct ulp_write *)(uintptr_t)t->writes;
	uint32_t n = t->nwrites;
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = 0;
	for (uint32_t i = 0; r == 0 && i < n; i++)
		if (memcmp((const void *)(uintptr_t)w[i].addr, w[i].before, w[i].len) != 0)
			r = -1;
	/* Copy the list first: its last write frees nothing but ends the set. */
	struct ulp_write *copy = malloc(n * sizeof(*copy));
	if (!copy)
		r = -1;
	else
		memcpy(copy, w, n * sizeof(*copy));
	for (uint32_t i = 0; r == 0 && i < n; i++)
		if (pwrite(fd, copy[i].after, copy[i].len, (off_t)copy[i].addr) != (ssize_t)copy[i].len)
			r = -1;
	free(copy);
	close(fd);
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: runtime-harness GOOD.so TRUNCATED.so\n");
		return 2;
	}
	rt = dlsym(RTLD_DEFAULT, ULP_RUNTIME_SYMBOL);
	if (!rt || rt->magic != ULP_RUNTIME_MAGIC) {
		printf("FAIL: no runtime: preload libpulp.so\n");
		return 1;
	}
	struct container c;
	if (container_read(argv[1], &c) < 0) {
		printf("FAIL: cannot read %s\n", argv[1]);
		return 1;
	}
	uint8_t id[ULP_ID_LEN], wrong[ULP_ID_LEN];
	memcpy(id, c.digest, sizeof(id));
	memcpy(wrong, id, sizeof(wrong));
	wrong[0] ^= 0xff;
	container_release(&c);

	int64_t r = call(ULP_OP_APPLY, argv[1], id);
	CHECK(r == 0, "apply returned %lld", (long long)r);
	CHECK(switch_now() == 0, "the apply's write set did not execute");
	CHECK(plain_value(5) == 1005, "plain_value(5) is %d after the apply", plain_value(5));
	r = call(ULP_OP_FINISH, NULL, NULL);
	CHECK(r == 0, "finish returned %lld", (long long)r);

	r = call(ULP_OP_REVERT, argv[1], id);
	CHECK(r == 0, "revert returned %lld", (long long)r);
	CHECK(switch_now() == 0, "the revert's write set did not execute");
	CHECK(plain_value(5) == 6, "plain_value(5) is %d after the revert", plain_value(5));

	r = call(ULP_OP_APPLY, argv[1], id);
	CHECK(r == 0, "apply again returned %lld", (long long)r);
	r = call(ULP_OP_FINISH, NULL, NULL);
	CHECK(r == 0 && rt->txn == 0, "finish without a switch returned %lld", (long long)r);
	CHECK(plain_value(5) == 6, "plain_value(5) is %d after a given-up apply", plain_value(5));

	r = call(ULP_OP_APPLY, argv[1], wrong);
	CHECK(r < 0, "apply with another id returned %lld", (long long)r);
	wrong[1] ^= 0xff; /* not in the registry: the file is read */
	r = call(ULP_OP_APPLY, argv[2], wrong);
	CHECK(r < 0, "apply of a truncated file returned %lld", (long long)r);
	CHECK(rt->error == 0, "the runtime is in its error state: %d", rt->error);

	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
