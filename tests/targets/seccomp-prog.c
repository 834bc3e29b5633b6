/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp-prog.c - a target that runs under a seccomp filter installed at
 * start, on every thread, with no_new_privs:
 *
 *   seccomp-prog mdwe     what systemd's MemoryDenyWriteExecute= forbids:
 *                         mmap with PROT_WRITE|PROT_EXEC, mprotect and
 *                         pkey_mprotect adding PROT_EXEC
 *   seccomp-prog noexec   any mmap with PROT_EXEC too (loading a patch
 *                         needs that: only --disable-seccomp helps)
 *
 * Each forbidden call fails with EPERM.  Commands:
 *   plain N  -> "plain R"
 *   probe    -> "wx denied|allowed x denied|allowed": whether the filter
 *               still refuses an anonymous W+X mapping and an X mapping
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmd.h"
#include "libs.h"

/* The low 32 bits of argument 2 (prot) of the call being filtered. */
#define ARG2_LO (offsetof(struct seccomp_data, args) + 2 * sizeof(__u64))

static int filter_install(int noexec)
{
	__u32 mmap_mask = noexec ? PROT_EXEC : PROT_WRITE | PROT_EXEC;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 6, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 5, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* mmap: every bit of the mask set is refused */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG2_LO),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mmap_mask),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mmap_mask, 4, 3),
		/* mprotect, pkey_mprotect: PROT_EXEC is refused */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG2_LO),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_EXEC),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_EXEC, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) < 0)
		return -errno;
	return 0;
}

static const char *probe(int prot)
{
	void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return errno == EPERM ? "denied" : "failed";
	munmap(p, 4096);
	return "allowed";
}

static bool command_run(const char *word, int n, const char *line)
{
	(void)line;
	if (strcmp(word, "plain") == 0)
		say("plain %d", plain_value(n));
	else if (strcmp(word, "probe") == 0)
		say("wx %s x %s", probe(PROT_READ | PROT_WRITE | PROT_EXEC), probe(PROT_READ | PROT_EXEC));
	else
		return false;
	return true;
}

int main(int argc, char **argv)
{
	cmd_setup();
	int noexec = argc > 1 && strcmp(argv[1], "noexec") == 0;
	if (argc < 2 || (!noexec && strcmp(argv[1], "mdwe") != 0)) {
		say("ERR usage: seccomp-prog mdwe|noexec");
		return 2;
	}
	int r = filter_install(noexec);
	if (r < 0) {
		say("ERR seccomp: %s", strerror(-r));
		return 1;
	}
	return cmd_serve(command_run);
}
