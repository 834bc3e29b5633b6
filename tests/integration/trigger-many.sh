#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trigger-many.sh - choosing processes without a PID.  Three many-prog
# targets with the runtime (one under its own name, two under a unique name,
# from a copy of the program) and one without it:
#  - `ulp trigger FILE` (no -p) patches the three, not the fourth;
#  - `ulp trigger -p 'NAME*' --revert` reverts only the two whose process
#    name matches;
#  - a wildcard that matches nothing patches nothing: 0/0/0.
# libmany.so is loaded by many-prog only, so other processes with the
# runtime (e.g. targets of tests running elsewhere at the same time) are
# skipped, not patched, by the trigger without -p; they may add to
# "Skipped", so only "at least 3 patched, 0 failed" is required there (a
# failure is excused only for a process not ours that has exited since),
# and each target's answer tells what happened to it.
. "$(dirname "$0")/lib.sh"
setup

P=$(container many)
old() { echo "many $(($1 + 3))"; }
new() { echo "many $(($1 + 300))"; }

# A copy of many-prog under a name no other process has (GLOB below
# matches it).  The kernel keeps the first 15 characters as the process
# name, which is what a -p wildcard is matched against.
NAME=wild-$$-many-prog
COMM=${NAME:0:15}
cp "$TARGETS/many-prog" "$T/$NAME" || fail "cannot copy many-prog"
# many-prog finds its libraries through RUNPATH $ORIGIN; the copy does not
# live there
WILD=(env "LD_LIBRARY_PATH=$TARGETS" "$T/$NAME")

target_start a "$TARGETS/many-prog"
target_start w1 "${WILD[@]}"
target_start w2 "${WILD[@]}"
target_start n --no-preload "$TARGETS/many-prog"
for x in w1 w2; do
	comm=$(cat "/proc/$(tpid $x)/comm")
	[ "$comm" = "$COMM" ] || fail "$x is named '$comm', expected '$COMM'"
done
grep -q libpulp "/proc/$(tpid n)/maps" && fail "libpulp.so is mapped in n though it was not preloaded"
for x in a w1 w2 n; do
	ask $x "many 1" "^$(old 1)\$"
done

step "trigger without -p: every process with the runtime"
run_ulp trigger "$P"
[ -n "$PATCHED" ] || fail "no summary line"
((PATCHED >= 3)) || fail "only $PATCHED process(es) patched, expected at least 3"
((PATCHED + SKIPPED_N == $(grep -c '^pid [0-9]* (' <<<"$OUT"))) ||
	fail "the summary does not match the per-process lines"
for x in a w1 w2; do
	grep -q "^pid $(tpid $x) (.*): applied " <<<"$OUT" || fail "no 'applied' line for $x (pid $(tpid $x))"
done
[[ "$OUT$ERR" =~ (pid|process)\ $(tpid n)([^0-9]|$) ]] &&
	fail "the process without the runtime (pid $(tpid n)) was considered"
# Other processes are only skipped (libmany.so is not loaded there).  The
# one failure allowed: a process of someone else's that exited between
# the listing and the trigger.
if [ "$FAILED" != 0 ]; then
	while read -r line; do
		[[ $line =~ (process|pid)\ ([0-9]+) ]] || fail "a failure names no process: '$line'"
		fpid=${BASH_REMATCH[2]}
		for x in a w1 w2 n; do
			[ "$fpid" != "$(tpid $x)" ] || fail "the trigger failed on $x (pid $fpid)"
		done
		! pid_alive "$fpid" || fail "the trigger failed on process $fpid, which still runs"
		log "note: process $fpid exited during the trigger: $line"
	done < <(grep '^ulp: error: ' <<<"$ERR")
	(($(grep -c '^ulp: error: ' <<<"$ERR") == FAILED)) || fail "$FAILED failures counted, not as many reported"
fi
[ $RC = $((FAILED ? 1 : 0)) ] || fail "trigger exited $RC with $FAILED failure(s)"
((PATCHED == 3)) || log "note: $((PATCHED - 3)) other process(es) patched too"
for x in a w1 w2; do
	ask $x "many 2" "^$(new 2)\$"
	check_applied "$(tpid $x)" "$P"
done
ask n "many 2" "^$(old 2)\$"

GLOB="wild-$$-*"
step "trigger -p '$GLOB' --revert: only the two copies"
run_ulp trigger -p "$GLOB" --revert "$P"
[ $RC = 0 ] || fail "trigger exited $RC"
summary_is 2 0 0
out=$OUT
for x in w1 w2; do
	grep -q "^pid $(tpid $x) ($COMM): reverted " <<<"$out" || fail "no 'reverted' line for $x"
	ask $x "many 3" "^$(old 3)\$"
	check_not_applied "$(tpid $x)" "$P"
done
ask a "many 3" "^$(new 3)\$"
check_applied "$(tpid a)" "$P"
ask n "many 3" "^$(old 3)\$"

step "a wildcard that matches no process: nothing to do, exit 4"
run_ulp trigger -p "nomatch-$$-*" "$P"
summary_is 0 0 0
[ $RC = 4 ] || fail "trigger exited $RC, expected 4"
for x in a w1 w2 n; do
	assert_alive $x
done
ask a "many 4" "^$(new 4)\$"
ask w1 "many 4" "^$(old 4)\$"

step "clean up: revert a by its PID"
revert_ok "$(tpid a)" "$P"
ask a "many 5" "^$(old 5)\$"
grep -q '^ERR' "$T"/*.transcript && fail "a target reported an error"
for x in a w1 w2 n; do
	target_stop $x
done
log "PASS"
