/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remote.h - reading and writing another process's memory through
 * /proc/PID/mem.  Writes go through the kernel's forced access, so text
 * pages change without mprotect() in the target (works under seccomp and
 * MemoryDenyWriteExecute).
 */
#ifndef ULP_REMOTE_H
#define ULP_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct remote {
	pid_t pid;
	int fd;
};

/* clang-format off */
#define REMOTE_INIT {.fd = -1}
/* clang-format on */

int remote_open(pid_t pid, struct remote *ret_r);
/* A second handle on the same open /proc/PID/mem: no path lookup, no
 * second permission check. */
int remote_dup(const struct remote *src, struct remote *ret_r);
void remote_close(struct remote *r);
int remote_read(const struct remote *r, uint64_t addr, void *buf, size_t len);
int remote_write(const struct remote *r, uint64_t addr, const void *buf, size_t len);
/* remote_read_string() - a NUL-terminated string at @addr, cut to @cap - 1 bytes. */
int remote_read_string(const struct remote *r, uint64_t addr, char *buf, size_t cap);
/* A piece of remote memory and where its copy goes. */
struct remote_span {
	uint64_t addr;
	void *buf;
	size_t len;
};

/**
 * remote_read_spans() - read many small pieces with few system calls
 * (process_vm_readv, falling back to one pread each).
 */
int remote_read_spans(const struct remote *r, const struct remote_span *spans, size_t n);

#endif
