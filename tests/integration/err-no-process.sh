#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-no-process.sh - trigger and check on a PID that does not exist fail
# with a clear error; a patchable process that was not named is untouched.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
target_start t "$TARGETS/target-prog"

# A PID that surely does not exist: one of ours that has just exited.
sleep 0 &
gone=$!
wait "$gone"
pid_alive "$gone" && fail "pid $gone still exists"

step "trigger -p $gone"
trigger_fails "$gone" "$P" "$gone.*(no such process|not found|does not exist|exited)|(no such process|not found|does not exist|exited).*$gone"
[ -z "$FAILED" ] || [ "$FAILED" -ge 1 ] || fail "the summary does not count the failure"

step "check -p $gone"
run_ulp check -p "$gone" "$P"
[ $RC != 0 ] && [ $RC != 1 ] || fail "ulp check on a missing process exited $RC (0/1 mean not applied/applied)"

step "the running target is unchanged"
assert_alive t
ask t "plain 5" '^plain 6$'
target_stop t
log "PASS"
