#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# patch-stacking.sh - three patches on one function (plain_value): the
# newest applied wins; reverting any of them, in any order, leaves the
# newest one still applied, or the original.  Reverting one that is not
# applied is SKIPPED.
. "$(dirname "$0")/lib.sh"
setup

A=$(container stack200)
B=$(container stack300)
C=$(container stack400)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

ask t "plain 5" '^plain 6$'
step "apply 200, 300, 400: the newest wins"
trigger_ok "$pid" "$A"
ask t "plain 5" '^plain 200$'
trigger_ok "$pid" "$B"
ask t "plain 5" '^plain 300$'
trigger_ok "$pid" "$C"
ask t "plain 5" '^plain 400$'

step "revert the middle one: 400 stays"
revert_ok "$pid" "$B"
ask t "plain 5" '^plain 400$'
check_applied "$pid" "$A"
check_not_applied "$pid" "$B"
check_applied "$pid" "$C"

step "revert the middle one again: SKIPPED, nothing changes"
trigger_skipped "$pid" "$B" 'not applied' --revert
ask t "plain 5" '^plain 400$'

step "revert the newest: back to 200"
revert_ok "$pid" "$C"
ask t "plain 5" '^plain 200$'

step "revert the oldest: the original"
revert_ok "$pid" "$A"
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$A"

step "again in another order: 200, 300, 400; revert 200, 400, 300"
trigger_ok "$pid" "$A"
trigger_ok "$pid" "$B"
trigger_ok "$pid" "$C"
revert_ok "$pid" "$A"
ask t "plain 5" '^plain 400$'
revert_ok "$pid" "$C"
ask t "plain 5" '^plain 300$'
revert_ok "$pid" "$B"
ask t "plain 5" '^plain 6$'
target_stop t
log "PASS"
