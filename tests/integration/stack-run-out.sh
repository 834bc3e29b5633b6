#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-run-out.sh - a function a thread is nearly always inside can still
# be patched: busy-prog's worker calls busy_for() in a loop, about 1 ms a
# call with nothing between calls, so a stop almost never finds it outside.
# The controller lets it run alone out of the function (its return
# address swapped for the runtime's return stub) while the other threads
# stay stopped; -v says so.
# Five apply/revert rounds, each within a 3 s timeout, and after each the
# worker's next calls return the new (old) value.  Without the run-out the
# stack check would retry until the timeout.
. "$(dirname "$0")/lib.sh"
setup

P=$(container busy)
target_start t "$TARGETS/busy-prog"
pid=$(tpid t)
ask t value '^value 31$'

for round in 1 2 3 4 5; do
	step "round $round: apply while the worker is inside busy_for()"
	trigger_ok "$pid" "$P" -v --timeout=3
	grep -q "inside busy_for; letting it run out alone" "$T/cmd.err" ||
		fail "the trigger did not let the worker run out of busy_for (see -v output above)"
	grep -q "stops 1," "$T/cmd.err" || fail "the switch needed more than one stop"
	ask t value '^value 62$'
	check_applied "$pid" "$P"

	step "round $round: revert while the worker is inside busy_for_v2()"
	trigger_ok "$pid" "$P" --revert -v --timeout=3
	grep -q "inside busy_for_v2; letting it run out alone" "$T/cmd.err" ||
		fail "the revert did not let the worker run out of busy_for_v2"
	ask t value '^value 31$'
done

ask t calls '^calls [0-9]+$'
target_stop t
log "PASS"
