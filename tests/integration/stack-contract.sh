#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-contract.sh - a patch that changes the meaning of data shared by
# several functions is switched only when no thread is inside any of them.
# libcontract.so: contract_work(x) = contract_use(contract_make(x)); the
# patch changes the layout of the pair for make and use together, so an
# old pair read by the new use() (or a new one by the old) gives
# CONTRACT_MIXED (-1).  Old work(x) = x + 1, new work(x) = x + 1000.
#
# The patch replaces contract_work() as well, because work() holds make()'s
# result across the call to use(): the consistency model only guarantees
# that no thread is *inside* a replaced function, so a caller holding data
# across calls to replaced functions must itself be replaced.
#
# Three rounds, each: the worker parks inside the old make() (blocked
# halfway through filling the pair); a trigger starts in the background
# and retries (-v shows it waiting on contract_make); the worker is
# released while it waits: its result must be the consistent old answer,
# never -1; the trigger then applies and the next work() gives the new
# answer.  Then the same for the revert, with the worker inside the new
# make().  Last, the same moment with --no-stack-check gives -1: the oracle
# sees a mixed switch, and the check is what prevents it.
. "$(dirname "$0")/lib.sh"
setup

P=$(container contract)
target_start t "$TARGETS/stack-prog"
pid=$(tpid t)

step "before any patch: work(x) = x + 1"
ask t "call work 5" '^work 6$'

for round in 1 2 3; do
	x=$((round * 10))

	step "round $round: apply while the worker is inside the old contract_make()"
	stack_job t work $x
	ulp_bg_start trigger -v -p "$pid" --timeout=10 "$P"
	ulp_bg_expect_err "thread $JOB_TID is inside contract_make at frame [0-9]+; retrying"
	ulp_bg_running || fail "the trigger ended while the worker was inside contract_make()"
	ask t release '^released$'
	# -1 would be an old pair read by the new use(): a switch in the window
	ask t result "^result $((x + 1))\$"
	ulp_bg_wait
	summary_is 1 0 0
	[ $RC = 0 ] || fail "trigger exited $RC though it patched the process"
	check_applied "$pid" "$P"
	ask t "call work $x" "^work $((x + 1000))\$"
	stack_job t work $((x + 1))
	ask t release '^released$'
	ask t result "^result $((x + 1 + 1000))\$"

	step "round $round: revert while the worker is inside the new contract_make_v2()"
	stack_job t work $x
	ulp_bg_start trigger -v -p "$pid" --revert --timeout=10 "$P"
	ulp_bg_expect_err "thread $JOB_TID is inside contract_make_v2 at frame [0-9]+; retrying"
	ulp_bg_running || fail "the revert ended while the worker was inside contract_make_v2()"
	ask t release '^released$'
	ask t result "^result $((x + 1000))\$"
	ulp_bg_wait
	summary_is 1 0 0
	[ $RC = 0 ] || fail "revert exited $RC though it patched the process"
	check_not_applied "$pid" "$P"
	ask t "call work $x" "^work $((x + 1))\$"
	stack_job t work $((x + 1))
	ask t release '^released$'
	ask t result "^result $((x + 2))\$"
done

step "without the check, the same moment mixes old make() with new use()"
stack_job t work 7
trigger_ok "$pid" "$P" --no-stack-check
ask t release '^released$'
ask t result '^result -1$'
ask t "call work 7" '^work 1007$'
revert_ok "$pid" "$P"
ask t "call work 7" '^work 8$'

grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
target_stop t
log "PASS"
