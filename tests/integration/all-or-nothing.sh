#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# all-or-nothing.sh - trigger --all-or-nothing over four processes, one of
# which cannot be patched (a debugger-like tracer holds it): the three that
# were patched are rolled back, every process answers the original value,
# the report says so and the exit status is 1 (failed cleanly).  The same
# for a revert, and for --revert-all with a new patch (the patches it took
# out come back, in their order).  Without the option the three stay
# patched (the control).
. "$(dirname "$0")/lib.sh"
setup

A=$(container stack200)
# A name of their own (the name of the link is the process name): a
# wildcard must not reach other tests' processes.
prog=aon-$$
ln -s "$(realpath "$TARGETS/target-prog")" "$T/$prog"
for x in 1 2 3 4; do
	target_start "t$x" "$T/$prog"
done
held=$(tpid t3)

# answers VALUE - every process answers plain(5) with VALUE.
answers() {
	local x
	for x in 1 2 3 4; do
		ask "t$x" "plain 5" "^plain $1\$"
	done
}

# hold NAME - start the holder NAME: it traces process $held until quit.
hold() {
	target_start "$1" --no-preload "$TARGETS/ptrace-probe" --hold "$held"
	log "process $held is traced by the holder (pid $(tpid "$1"))"
}

step "--all-or-nothing apply, process $held held by a tracer: the others are rolled back"
hold h1
run_ulp trigger -p "$prog" --all-or-nothing "$A"
summary_is 0 3 1
[ $RC = 1 ] || fail "expected exit 1 (failed cleanly), got $RC"
[[ $ERR =~ "traced by process $(tpid h1)" ]] || fail "the failure does not say who holds process $held"
n=$(grep -c "SKIPPED: rolled back (--all-or-nothing: process $held failed)" <<<"$OUT")
[ "$n" = 3 ] || fail "expected 3 'rolled back' lines, got $n"
[[ $ERR =~ "the 3 processes this run had patched were rolled back" ]] || fail "no rollback summary"
answers 6
for x in 1 2 4; do
	check_not_applied "$(tpid t$x)" "$A"
done

step "--json says which were rolled back"
run_ulp trigger -p "$prog" --all-or-nothing --json "$A"
[ $RC = 1 ] || fail "expected exit 1, got $RC"
json_field summary.rolled_back 3
json_field summary.failed 1
json_field exit_status 1
for i in 0 1 2 3; do
	pid=$("$JSON_QUERY" "processes.$i.pid" <<<"$OUT")
	if [ "$pid" = "$held" ]; then
		json_field "processes.$i.status" failed
		json_field "processes.$i.rolled_back" false
	else
		json_field "processes.$i.status" skipped
		json_field "processes.$i.rolled_back" true
	fi
done
answers 6

step "control: without --all-or-nothing the three stay patched"
run_ulp trigger -p "$prog" "$A"
summary_is 3 0 1
[ $RC = 1 ] || fail "expected exit 1, got $RC"
for x in 1 2 4; do
	ask "t$x" "plain 5" '^plain 200$'
done
ask t3 "plain 5" '^plain 6$'

step "release process $held, patch it too; then --all-or-nothing --revert with it held again"
target_stop h1
trigger_ok "$held" "$A"
answers 200
hold h2
run_ulp trigger -p "$prog" --all-or-nothing --revert "$A"
summary_is 0 3 1
[ $RC = 1 ] || fail "expected exit 1, got $RC"
answers 200
target_stop h2

step "nothing fails: --all-or-nothing changes nothing about a good run"
run_ulp trigger -p "$prog" --all-or-nothing --revert "$A"
summary_is 4 0 0
[ $RC = 0 ] || fail "expected exit 0, got $RC"
answers 6

step "--all-or-nothing --revert-all=target: the old patches come back, in their order"
B=$(container stack300)
C=$(container stack400)
run_ulp trigger -p "$prog" "$A"
summary_is 4 0 0
run_ulp trigger -p "$prog" "$B"
summary_is 4 0 0
answers 300
hold h3
ask t1 "watch 5" '^watching$'
run_ulp trigger -p "$prog" --all-or-nothing --revert-all=target "$C"
summary_is 0 3 1
# 400 came, the rollback applied 200 then 300 again: never the original.
# 200 lasts only from one rollback step to the next, which the watching
# thread may not sample.
ask t1 seen '^seen 300 400( 200)? 300 calls [0-9]+$'
[ $RC = 1 ] || fail "expected exit 1, got $RC"
n=$(grep -c "SKIPPED: rolled back (--all-or-nothing: process $held failed)" <<<"$OUT")
[ "$n" = 3 ] || fail "expected 3 'rolled back' lines, got $n"
answers 300
for x in 1 2 4; do
	check_applied "$(tpid t$x)" "$A"
	check_applied "$(tpid t$x)" "$B"
	check_not_applied "$(tpid t$x)" "$C"
done
step "and the order is the old one: reverting 300 leaves 200"
target_stop h3
run_ulp trigger -p "$prog" --revert "$B"
summary_is 4 0 0
answers 200
for x in 1 2 3 4; do
	target_stop "t$x"
done
log "PASS"
