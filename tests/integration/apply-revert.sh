#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# apply-revert.sh - the basic life cycle on libplain.so:
# apply -> new behaviour, revert -> old, re-apply -> new, revert again;
# `ulp check` (1 applied, 0 not) at every step; `ulp messages` has
# something to say; the target keeps running and answers throughout.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

step "before any patch: plain_value(5) = 6"
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$P"

step "apply"
trigger_ok "$pid" "$P"
ask t "plain 5" '^plain 1005$'
ask t "plain -3" '^plain 997$'
check_applied "$pid" "$P"

step "revert"
revert_ok "$pid" "$P"
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$P"

step "re-apply the same container"
trigger_ok "$pid" "$P"
ask t "plain 7" '^plain 1007$'
check_applied "$pid" "$P"

step "ulp messages shows the runtime's log"
run_ulp messages -p "$pid"
[ $RC = 0 ] || fail "ulp messages exited $RC"
[ -n "$OUT" ] || fail "ulp messages printed nothing after two applies and a revert"

step "revert again; the other functions were never touched"
revert_ok "$pid" "$P"
ask t "plain 7" '^plain 8$'
ask t "cet 4" '^cet 8$'
ask t "exe 1" '^exe 8$'
check_not_applied "$pid" "$P"
target_stop t
log "PASS"
