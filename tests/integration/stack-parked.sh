#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-parked.sh - the stack check holds a patch back while a thread is
# inside the function it replaces.  stack-prog's worker is parked in park()
# (libpark.so), blocked in read(2) in park's own body; once released it
# waits on a condition variable, outside park.
#  (a) trigger --timeout=2: fails after the timeout, naming the worker's
#      thread id, 'park' and lib-park.c:LINE (the line of that read);
#      nothing was written: the old park() answers, ulp check says no;
#  (b) the worker released ~1 s into a trigger: the trigger waited (-v
#      shows it retrying on park), then applied; the parked call finished
#      in the old code, the next call runs the new one;
#  (c) --no-stack-check applies at once with the worker parked: the check
#      is what held (a) and (b) back;
#  (a2) -r 3 gives up after three stops instead of waiting for --timeout.
. "$(dirname "$0")/lib.sh"
setup

P=$(container park)
park_line=$(grep -n 'read(.*PARK_READ' "$TARGETS_SRC/lib-park.c" | cut -d: -f1)
[[ $park_line =~ ^[0-9]+$ ]] || fail "no single PARK_READ line in $TARGETS_SRC/lib-park.c"
target_start t "$TARGETS/stack-prog"
pid=$(tpid t)

step "before any patch: park() returns b + 1"
ask t "call park" '^park 2$'

step "(a) a thread parked inside park(): the trigger times out, naming it"
stack_job t park
log "worker: thread $JOB_TID, blocked in read($JOB_FD) inside park()"
trigger_fails "$pid" "$P" \
	"not in a consistent state within the timeout: thread $JOB_TID is inside 'park' \\([^)]*lib-park\\.c:$park_line\\), which the patch replaces; nothing was written" \
	--timeout=2
summary_is 0 0 1
((ULP_MS >= 1500)) || fail "the trigger gave up after $ULP_MS ms: it did not retry until its 2 s timeout"
check_not_applied "$pid" "$P"
ask t "call park" '^park 2$'
ask t release '^released$'
ask t result '^result 2$'

step "(a2) -r 3: gives up after three stops, long before its timeout"
stack_job t park
trigger_fails "$pid" "$P" \
	"not in a consistent state in 3 stops \(-r 3\): thread $JOB_TID is inside 'park'" \
	-r 3 --timeout=30
((ULP_MS < 10000)) || fail "-r 3 took $ULP_MS ms: it waited for the timeout"
check_not_applied "$pid" "$P"
ask t release '^released$'
ask t result '^result 2$'

step "(b) released 1 s into the trigger: it waits for the thread, then applies"
stack_job t park
send_after 1 t release
run_ulp trigger -v -p "$pid" --timeout=10 "$P"
summary_is 1 0 0
[ $RC = 0 ] || fail "trigger exited $RC though it patched the process"
inside_frame "$JOB_TID" park
((ULP_MS >= 900)) || fail "the trigger applied after $ULP_MS ms, before the parked thread was released"
send_after_wait
expect_next t '^released$'
# the parked call was already in the old body: it finishes there
ask t result '^result 2$'
ask t "call park" '^park 101$'
check_applied "$pid" "$P"
revert_ok "$pid" "$P"
ask t "call park" '^park 2$'

step "(c) --no-stack-check: applies at once while the thread is parked"
stack_job t park
trigger_ok "$pid" "$P" --no-stack-check
((ULP_MS < 1800)) || fail "with --no-stack-check the trigger still took $ULP_MS ms"
ask t "call park" '^park 101$'
ask t release '^released$'
ask t result '^result 2$'
revert_ok "$pid" "$P"
ask t "call park" '^park 2$'

grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
target_stop t
log "PASS"
