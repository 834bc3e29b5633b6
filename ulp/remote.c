/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ulp/proc.h"
#include "ulp/remote.h"

/*
 * /proc/PID/mem, or once the main thread has called pthread_exit() (its
 * memory is gone while the other threads run on) a live thread's.  The
 * open file holds the memory, not the thread: it stays valid when that
 * thread exits later; one that was exiting at the open is replaced.
 */
static int mem_open(pid_t pid, int flags)
{
	char path[64];
	if (!proc_task_dead(pid, pid)) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		return open(path, flags);
	}
	for (unsigned tries = 0; tries < 8; tries++) {
		pid_t tid;
		if (proc_live_task(pid, &tid) < 0)
			break;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/mem", (int)pid, (int)tid);
		int fd = open(path, flags);
		if (fd < 0 && errno != ENOENT)
			return fd;
		/* alive after the open: it had its memory at the open */
		if (fd >= 0 && !proc_task_dead(pid, tid))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	errno = ENOENT;
	return -1;
}

int remote_open(pid_t pid, struct remote *ret_r)
{
	int fd = mem_open(pid, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == EACCES)
		fd = mem_open(pid, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : errno == EACCES ? -EPERM : -errno;
	*ret_r = (struct remote){ .pid = pid, .fd = fd };
	return 0;
}

int remote_dup(const struct remote *src, struct remote *ret_r)
{
	int fd = fcntl(src->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	*ret_r = (struct remote){ .pid = src->pid, .fd = fd };
	return 0;
}

int remote_read_string(const struct remote *r, uint64_t addr, char *buf, size_t cap)
{
	if (!cap)
		return -EINVAL;
	for (size_t done = 0; done < cap - 1;) {
		size_t chunk = 256 - (addr + done) % 256; /* never across a page */
		if (chunk > cap - 1 - done)
			chunk = cap - 1 - done;
		int res = remote_read(r, addr + done, buf + done, chunk);
		if (res < 0)
			return res;
		if (memchr(buf + done, '\0', chunk))
			return 0;
		done += chunk;
	}
	buf[cap - 1] = '\0';
	return 0;
}

void remote_close(struct remote *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* pread/pwrite until done: /proc/PID/mem may transfer less than asked. */
static int remote_io(const struct remote *r, uint64_t addr, void *buf, size_t len, bool write)
{
	size_t done = 0;
	while (done < len) {
		char *p = (char *)buf + done;
		off_t at = (off_t)(addr + done);
		ssize_t n = write ? pwrite(r->fd, p, len - done, at) : pread(r->fd, p, len - done, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

int remote_read(const struct remote *r, uint64_t addr, void *buf, size_t len)
{
	return remote_io(r, addr, buf, len, false);
}

int remote_write(const struct remote *r, uint64_t addr, const void *buf, size_t len)
{
	return remote_io(r, addr, (void *)buf, len, true);
}

#define SPANS_PER_CALL 1024 /* IOV_MAX */

static int spans_vm_read(pid_t pid, const struct remote_span *spans, size_t n)
{
	struct iovec local[SPANS_PER_CALL], remote[SPANS_PER_CALL];
	size_t want = 0;
	for (size_t i = 0; i < n; i++) {
		local[i] = (struct iovec){ spans[i].buf, spans[i].len };
		remote[i] = (struct iovec){ (void *)(uintptr_t)spans[i].addr, spans[i].len };
		want += spans[i].len;
	}
	ssize_t got = process_vm_readv(pid, local, n, remote, n, 0);
	return got == (ssize_t)want ? 0 : -EIO;
}

int remote_read_spans(const struct remote *r, const struct remote_span *spans, size_t n)
{
	for (size_t done = 0; done < n;) {
		size_t k = n - done < SPANS_PER_CALL ? n - done : SPANS_PER_CALL;
		if (spans_vm_read(r->pid, spans + done, k) < 0)
			for (size_t i = done; i < done + k; i++) {
				int ret = remote_read(r, spans[i].addr, spans[i].buf, spans[i].len);
				if (ret < 0)
					return ret;
			}
		done += k;
	}
	return 0;
}
