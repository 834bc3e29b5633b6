#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-already-applied.sh - applying a patch that is already applied is
# SKIPPED (exit 0) and changes nothing: one revert restores the old code.
# Reverting a patch that is not applied changes nothing either.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

trigger_ok "$pid" "$P"
ask t "plain 5" '^plain 1005$'

step "apply again"
trigger_skipped "$pid" "$P" "already applied"
ask t "plain 5" '^plain 1005$'
check_applied "$pid" "$P"

step "one revert is enough"
revert_ok "$pid" "$P"
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$P"

step "revert again: nothing to revert"
run_ulp trigger -p "$pid" --revert "$P"
[ "$PATCHED" != 1 ] || fail "a second revert reports a patched process"
[ "$FAILED" != "" ] || fail "no summary line"
ask t "plain 5" '^plain 6$'
assert_alive t
target_stop t
log "PASS"
