#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stress-threads.sh - 8 threads call stress_value() in a tight loop while it
# is applied and reverted 100 times.  After each apply every thread's next
# call must return the new value, after each revert the old one; no call
# may ever return anything else, and the process must survive.
. "$(dirname "$0")/lib.sh"
setup

CYCLES=${STRESS_CYCLES:-100}
P=$(container stress)
target_start s "$TARGETS/stress-prog"
pid=$(tpid s)
old=1 new=2 # STRESS_OLD, STRESS_NEW in tests/targets/libs.h

ask s "expect $old" '^ok$'
t0=$(now_ms)
QUIET=1
for ((i = 1; i <= CYCLES; i++)); do
	trigger_ok "$pid" "$P"
	ask s "expect $new" '^ok$'
	revert_ok "$pid" "$P"
	ask s "expect $old" '^ok$'
	((i % 10)) || step "$i cycles, $(($(now_ms) - t0)) ms"
done
QUIET=
assert_alive s

step "no call returned a third value"
ask s stats '^stats calls [0-9]+ errors [0-9]+ old [0-9]+ new [0-9]+$'
read -r _ _ calls _ errors _ olds _ news <<<"$EXPECT_LINE"
log "calls $calls errors $errors old $olds new $news"
[ "$errors" = 0 ] || fail "$errors calls returned neither $old nor $new"
[ "$news" -gt 0 ] && [ "$olds" -gt 0 ] || fail "the threads never saw both versions"
check_not_applied "$pid" "$P"
target_stop s
log "PASS"
