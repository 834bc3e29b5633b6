#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-no-runtime.sh - a target started without LD_PRELOAD=libpulp.so has no
# runtime: the trigger fails saying so, and the target is unchanged.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
target_start t --no-preload "$TARGETS/target-prog"
pid=$(tpid t)
grep -q libpulp "/proc/$pid/maps" && fail "libpulp.so is mapped though it was not preloaded"

step "trigger"
trigger_fails "$pid" "$P" "runtime|libpulp"
[ "$FAILED" = 1 ] || fail "the summary does not count the failure"

step "the target is unchanged"
assert_alive t
ask t "plain 5" '^plain 6$'
ask t "plain 5" '^plain 6$'

step "check"
run_ulp check -p "$pid" "$P"
[ $RC != 1 ] || fail "ulp check says applied in a process without the runtime"
target_stop t
log "PASS"
