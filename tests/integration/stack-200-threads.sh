#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-200-threads.sh - the stack check with many threads: stack-prog with
# 200 threads blocked for good (100 on a condition variable, 100 in
# read(2) on a pipe) plus the main thread answering commands.  Three
# apply/revert cycles of libplain.so: each one applies (reverts) and the
# new (old) code answers; -v must report every one of the 201 threads
# unwound.  The time of the stack check is printed, not asserted.  Then
# one more thread, created last, parks inside park(): a patch of park() is
# refused naming it - the check looked past the 200 others - and applies
# once it has left.
. "$(dirname "$0")/lib.sh"
setup

N=200
P=$(container plain)
target_start t "$TARGETS/stack-prog"
pid=$(tpid t)

step "$N threads that block for good"
ask t "spawn $N" "^spawned $N\$"
# every thread of the process asleep: the N, and the main thread in read(2)
for ((i = 0; i < EXPECT_TIMEOUT * 10; i++)); do
	tasks=0 sleeping=0
	for st in /proc/"$pid"/task/*/stat; do
		s=$(cat "$st" 2>/dev/null) || continue
		s=${s##*) }
		tasks=$((tasks + 1))
		[ "${s%% *}" = S ] && sleeping=$((sleeping + 1))
	done
	((tasks == N + 1 && sleeping == N + 1)) && break
	sleep 0.1
done
((tasks == N + 1 && sleeping == N + 1)) || fail "$tasks threads, $sleeping asleep; expected $((N + 1)), all asleep"
log "$tasks threads, all asleep"

for cycle in 1 2 3; do
	step "cycle $cycle: apply"
	ask t "call plain $cycle" "^plain $((cycle + 1))\$"
	run_ulp trigger -v -p "$pid" "$P"
	summary_is 1 0 0
	[ $RC = 0 ] || fail "trigger exited $RC though it patched the process"
	stack_check_figures
	[ "$CHECK_THREADS" = $((N + 1)) ] || fail "the stack check unwound $CHECK_THREADS threads, not $((N + 1))"
	ask t "call plain $cycle" "^plain $((cycle + 1000))\$"

	step "cycle $cycle: revert"
	run_ulp trigger -v -p "$pid" --revert "$P"
	summary_is 1 0 0
	[ $RC = 0 ] || fail "revert exited $RC though it patched the process"
	stack_check_figures
	[ "$CHECK_THREADS" = $((N + 1)) ] || fail "the stack check unwound $CHECK_THREADS threads, not $((N + 1))"
	ask t "call plain $cycle" "^plain $((cycle + 1))\$"
done

check_not_applied "$pid" "$P"

step "one more thread parks inside park(), behind the $N others: found"
PK=$(container park)
stack_job t park
trigger_fails "$pid" "$PK" "thread $JOB_TID is inside 'park' .*, which the patch replaces; nothing was written" \
	--timeout=2
summary_is 0 0 1
ask t "call park" '^park 2$'
ask t release '^released$'
ask t result '^result 2$'
run_ulp trigger -v -p "$pid" "$PK"
summary_is 1 0 0
[ $RC = 0 ] || fail "trigger exited $RC though it patched the process"
stack_check_figures
[ "$CHECK_THREADS" = $((N + 2)) ] || fail "the stack check unwound $CHECK_THREADS threads, not $((N + 2))"
ask t "call park" '^park 101$'
revert_ok "$pid" "$PK"
ask t "call park" '^park 2$'

grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
target_stop t
log "PASS"
