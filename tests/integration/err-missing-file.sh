#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-missing-file.sh - a container path that does not exist: the trigger
# fails naming the file, and the target is unchanged.
. "$(dirname "$0")/lib.sh"
setup

target_start t "$TARGETS/target-prog"
pid=$(tpid t)
missing=$T/no_such_livepatch.so

step "trigger"
trigger_fails "$pid" "$missing" "no_such_livepatch"
step "revert"
trigger_fails "$pid" "$missing" "no_such_livepatch" --revert
step "check"
run_ulp check -p "$pid" "$missing"
[ $RC != 0 ] && [ $RC != 1 ] || fail "ulp check with a missing file exited $RC (0/1 mean not applied/applied)"

step "the target is unchanged"
assert_alive t
ask t "plain 5" '^plain 6$'
target_stop t
log "PASS"
