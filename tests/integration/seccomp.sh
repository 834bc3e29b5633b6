#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# seccomp.sh - targets under a seccomp filter (seccomp-prog).
#  - mdwe: what systemd's MemoryDenyWriteExecute= forbids (W+X mappings,
#    making memory executable).  ulp writes code through /proc/PID/mem and
#    the runtime maps the patch without W+X: applies and reverts as usual,
#    and the filter still refuses a W+X mapping afterwards.
#  - noexec: every executable mapping refused, so the patch cannot be
#    loaded.  The trigger fails before anything switches, says the process
#    runs under seccomp and names --disable-seccomp; the target is as it
#    was.  With --disable-seccomp (the borrowed thread's filters suspended
#    for the call only) it applies, and the filter still holds afterwards.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)

step "MemoryDenyWriteExecute-like filter: patching works"
target_start m "$TARGETS/seccomp-prog" mdwe
pid=$(tpid m)
ask m probe '^wx denied x allowed$'
grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status" || fail "the target is not under a seccomp filter"
trigger_ok "$pid" "$P"
ask m "plain 5" '^plain 1005$'
revert_ok "$pid" "$P"
ask m "plain 5" '^plain 6$'
ask m probe '^wx denied x allowed$'

step "a filter that forbids loading: a clear refusal"
target_start n "$TARGETS/seccomp-prog" noexec
pid=$(tpid n)
ask n probe '^wx denied x denied$'
trigger_fails "$pid" "$P" "seccomp.*--disable-seccomp"
assert_alive n
ask n "plain 5" '^plain 6$'
check_not_applied "$pid" "$P"

step "--disable-seccomp: the load is not filtered, the process still is"
trigger_ok "$pid" "$P" --disable-seccomp
ask n "plain 5" '^plain 1005$'
ask n probe '^wx denied x denied$'
check_applied "$pid" "$P"
revert_ok "$pid" "$P"
ask n "plain 5" '^plain 6$'
