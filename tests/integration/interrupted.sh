#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# interrupted.sh - ulp interrupted (Ctrl-C, kill) while it holds a process.
# The patch object's constructor sleeps 400 ms, so ulp is waiting for the
# call on the borrowed thread when the signal comes.  ulp must give the
# thread back and leave without switching: the target survives, answers
# with the old code, and a later trigger applies the patch.  (SIGKILL,
# which cannot be handled, is kill-controller.sh's.)  Then the same for a fleet, with the signal sent to
# ulp alone: its workers stop too.
. "$(dirname "$0")/lib.sh"
setup

S=$(container slow)

# the ulp process under the background timeout(1)
ulp_child() {
	pgrep -P "$BG_PID" -x ulp || fail "no ulp under the background timeout $BG_PID"
}

target_start t "$TARGETS/target-prog"
pid=$(tpid t)

# The target's main thread, borrowed, sleeps in the patch's constructor
# while ulp waits for the call: wait_in_sleep.
step "SIGINT while the borrowed thread loads the patch"
ulp_bg_start trigger -p "$pid" "$S"
wait_in_sleep "$pid"
kill -INT "$(ulp_child)"
ulp_bg_wait
[ "$RC" = 1 ] || fail "an interrupted trigger must exit 1, got $RC"
summary_is 0 1 0
[[ $ERR == *"interrupted"* ]] || fail "ulp does not say it was interrupted"
pid_alive "$pid" || fail "the target died: the borrowed thread was not given back"
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$S"

step "a trigger afterwards applies the patch (already loaded), and reverts"
trigger_ok "$pid" "$S"
ask t "plain 5" '^plain 2005$'
revert_ok "$pid" "$S"
ask t "plain 5" '^plain 6$'
target_stop t

step "a fleet: SIGTERM to ulp alone reaches its workers"
# A name of our own, so that the wildcard matches only these processes.
name=itgt$$
ln -s "$TARGETS/target-prog" "$T/$name" || fail "cannot link $T/$name"
target_start a "$T/$name"
target_start b "$T/$name"
ulp_bg_start trigger -j 2 -p "$name*" "$S"
wait_in_sleep "$(tpid a)"
wait_in_sleep "$(tpid b)"
kill -TERM "$(ulp_child)"
ulp_bg_wait
[ "$RC" = 1 ] || fail "an interrupted trigger must exit 1, got $RC"
summary_is 0 2 0
for n in a b; do
	pid_alive "$(tpid $n)" || fail "target $n died"
	ask $n "plain 5" '^plain 6$'
	check_not_applied "$(tpid $n)" "$S"
done
target_stop a
target_stop b
log "PASS"
