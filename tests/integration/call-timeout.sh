#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# call-timeout.sh - a runtime call that outlasts --timeout is left to end
# on its own.  The slow patch's constructor sleeps 400 ms on the borrowed
# thread (target-prog's only thread); the trigger gives up after 100 ms:
# it exits 3 (the process may still change: the patch gets loaded when
# the call ends), says so, and switches nothing.  The thread goes back to
# its own work when the call ends - with whatever it held released, which
# taking it back by hand could not do - and answers with the old code.  A
# later trigger finds the patch loaded and applies it.
. "$(dirname "$0")/lib.sh"
setup

S=$(container slow)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

step "trigger --timeout=0.1 while the load takes 400 ms"
run_ulp trigger -p "$pid" --timeout=0.1 "$S"
[ $RC = 3 ] || fail "expected exit 3 (the process may still change), got $RC"
[[ $ERR == *"did not end within the timeout"* ]] || fail "the error does not say the call outlasted the timeout"
[[ $ERR == *"goes back to its own work"* ]] || fail "the error does not say what becomes of the thread"
((ULP_MS < 380)) || fail "ulp waited ${ULP_MS} ms for a call it gave up after 100 ms"
assert_alive t

step "the call ends on its own: the thread answers, nothing switched"
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$S"
run_ulp messages -p "$pid"
[[ $OUT == *"slow"* ]] || fail "the runtime's log does not mention the load"

step "a trigger afterwards applies it (already loaded), and reverts"
trigger_ok "$pid" "$S"
ask t "plain 5" '^plain 2005$'
revert_ok "$pid" "$S"
ask t "plain 5" '^plain 6$'
