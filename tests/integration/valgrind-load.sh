#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind-load.sh - the runtime's load path under valgrind's memcheck.
# valgrind cannot follow a thread that ptrace borrows, so runtime-harness
# plays the controller on itself: with libpulp.so preloaded it calls the
# runtime's entry point the way a borrowed thread does (apply, finish,
# revert, apply again and give up, a wrong id, a truncated file) and
# executes each write set through /proc/self/mem.  Any memory error or
# definite leak in libpulp.so (or the harness) fails the test.
. "$(dirname "$0")/lib.sh"
setup

command -v valgrind >/dev/null || fail "valgrind is needed: apt-get install valgrind (.ci/install-deps does)"
P=$(container plain)
head -c 3000 "$P" >"$T/truncated.so"

step "load, switch, revert, refuse: memcheck finds nothing"
run_cmd env LD_PRELOAD="$LIBPULP" valgrind -q --error-exitcode=99 --smc-check=all --leak-check=full \
	--errors-for-leak-kinds=definite "$TARGETS/runtime-harness" "$P" "$T/truncated.so"
[ $RC = 0 ] || fail "runtime-harness under valgrind exited $RC"
[ "$OUT" = ok ] || fail "runtime-harness did not say ok"
