#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-not-loaded.sh - a patch for libunused.so, which target-prog does not
# load: SKIPPED (not failed, exit 0), and the target is unchanged.
. "$(dirname "$0")/lib.sh"
setup

P=$(container unused)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)
grep -q libunused "/proc/$pid/maps" && fail "target-prog loaded libunused.so"

step "trigger"
trigger_skipped "$pid" "$P" "not loaded|libunused"
step "revert of a patch never applied"
run_ulp trigger -p "$pid" --revert "$P"
[ "$PATCHED" != 1 ] || fail "revert of a patch that was never applied reports patched"

step "the target is unchanged and can still be patched"
assert_alive t
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$P"
patch_cycle t "$(container plain)" "plain 5" '^plain 6$' '^plain 1005$'
target_stop t
log "PASS"
