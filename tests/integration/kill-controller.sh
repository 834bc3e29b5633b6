#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill-controller.sh - ulp killed with SIGKILL at any moment of a trigger
# or a revert never costs the target.  busy-prog's worker is inside the
# patched function nearly all the time, so every trigger borrows a thread
# and lets the worker run out of busy_for() as well as switching.
#
# Part 1, at each fault point (ULP_FAULT, ulp/fault.h): a borrowed thread
# in the runtime call, a thread running out alone, every thread stopped,
# and after each write of the switch.  Part 2: KILL_TRIALS (default 30)
# kills after a random delay within a trigger's duration.
#
# After each kill: the target is alive, and `ulp check` (which first undoes
# a switch left half-made) agrees with what the target computes: 62 with
# the patch, 31 without.  Then a normal trigger or revert works.
. "$(dirname "$0")/lib.sh"
setup

TRIALS=${KILL_TRIALS:-30}
P=$(container busy)
target_start t "$TARGETS/busy-prog"
pid=$(tpid t)
ask t value '^value 31$'

# state - ulp check's answer, checked against the target; sets APPLIED.
REPAIRS=0
state() {
	run_ulp check -p "$pid" "$P"
	case $RC in
	0) APPLIED=0 want=31 ;;
	1) APPLIED=1 want=62 ;;
	*) fail "ulp check failed (exit $RC) after a killed ulp" ;;
	esac
	[[ $ERR != *"half-way through a switch"* ]] || REPAIRS=$((REPAIRS + 1))
	ask t value "^value $want\$"
}

# run_killable ARGS... - run a command that may be killed (run_cmd would
# call that a failure); RC is its exit status, its output in $T/kill.*.
run_killable() {
	RC=0
	"$@" </dev/null >"$T/kill.out" 2>"$T/kill.err" || RC=$?
	[[ $(cat "$T/kill.err") != *Sanitizer* ]] || fail "a sanitizer reported an error in ulp"
}

# killed_at POINT [--revert] - ulp dies at POINT; the target lives on.
killed_at() {
	local point=$1
	shift
	run_killable env ULP_FAULT="$point" timeout -s KILL 20 "$ULP" trigger -p "$pid" "$@" "$P"
	log "ULP_FAULT=$point ulp trigger $* -> exit $RC"
	case $RC in
	137) killed=$((killed + 1)) ;;
	0) finished=$((finished + 1)) ;; # a revert makes fewer writes than write:N
	*) fail "expected ulp to be killed (137) or to finish (0), got $RC" ;;
	esac
	assert_alive t
}

step "part 1: killed at each fault point, applying and reverting"
killed=0 finished=0
for point in call runout stop write:1 write:2 write:3 write:4 write:5; do
	state
	[ $APPLIED = 0 ] || revert_ok "$pid" "$P"
	killed_at "$point"
	state
	[ $APPLIED = 1 ] || trigger_ok "$pid" "$P"
	killed_at "$point" --revert
	state
done
((REPAIRS > 0)) || fail "no kill left a half-made switch to undo: the write fault points did not work"
log "part 1: $killed killed, $finished finished first, $REPAIRS half-made switches undone by ulp check"

step "part 2: $TRIALS kills at random moments"
# A trigger's length here, to spread the kills over it.
[ $APPLIED = 1 ] && revert_ok "$pid" "$P"
trigger_ok "$pid" "$P"
span_us=$((ULP_US > 2000 ? ULP_US : 2000))
revert_ok "$pid" "$P"
killed=0 finished=0 REPAIRS=0
for ((i = 1; i <= TRIALS; i++)); do
	delay_us=$((RANDOM * 32768 + RANDOM))
	delay_us=$((delay_us % span_us))
	op=()
	[ "$APPLIED" = 1 ] && op=(--revert)
	run_killable timeout -s KILL "$(printf '%d.%06d' $((delay_us / 1000000)) $((delay_us % 1000000)))" \
		"$ULP" trigger -p "$pid" "${op[@]}" "$P"
	case $RC in
	137) killed=$((killed + 1)) ;;
	0) finished=$((finished + 1)) ;;
	*) fail "trial $i: ulp trigger ${op[*]} exited $RC (killed after $delay_us us)" ;;
	esac
	assert_alive t
	QUIET=1 state
done
log "part 2: $TRIALS trials over ${span_us} us: $killed killed, $finished finished first, $REPAIRS half-made switches undone"
((killed > 0)) || fail "no trial killed ulp before it finished: the delays are too long"

step "the target still patches and reverts normally"
[ $APPLIED = 1 ] && revert_ok "$pid" "$P"
trigger_ok "$pid" "$P"
ask t value '^value 62$'
revert_ok "$pid" "$P"
ask t value '^value 31$'
