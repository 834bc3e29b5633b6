#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-revert-refused.sh - a revert waits for the threads inside the
# patch's own functions.  libgate.so: gate() never blocks; its new version
# gate_v2() (patch-gate.c) blocks in read(2) in its own body.
#  - apply with no thread inside: the new code answers;
#  - the worker parks inside gate_v2(): trigger --revert --timeout=2 fails
#    naming the thread, 'gate_v2' and patch-gate.c:LINE, "which the revert
#    switches back"; nothing was written: still applied, the new code
#    answers;
#  - the worker released (its call ends in gate_v2: b + 200), the revert
#    goes through and the old code answers;
#  - with --no-stack-check the revert goes through at once with the worker
#    inside gate_v2(), which it then finishes (the patch stays loaded).
. "$(dirname "$0")/lib.sh"
setup

P=$(container gate)
gate_line=$(grep -n 'read(.*GATE_READ' "$TARGETS_SRC/patch-gate.c" | cut -d: -f1)
[[ $gate_line =~ ^[0-9]+$ ]] || fail "no single GATE_READ line in $TARGETS_SRC/patch-gate.c"
target_start t "$TARGETS/stack-prog"
pid=$(tpid t)

step "before any patch: gate() = 7, and it does not block"
ask t "call gate" '^gate 7$'
ask t "job gate" '^job gate tid [0-9]+ fd [0-9]+$'
ask t result '^result 7$'

step "apply (no thread inside): gate() = b + 200"
trigger_ok "$pid" "$P"
ask t "call gate" '^gate 201$'
check_applied "$pid" "$P"

step "a thread parked inside gate_v2(): the revert times out, naming it"
stack_job t gate
log "worker: thread $JOB_TID, blocked in read($JOB_FD) inside gate_v2()"
trigger_fails "$pid" "$P" \
	"not in a consistent state within the timeout: thread $JOB_TID is inside 'gate_v2' \\([^)]*patch-gate\\.c:$gate_line\\), which the revert switches back; nothing was written" \
	--revert --timeout=2
summary_is 0 0 1
((ULP_MS >= 1500)) || fail "the revert gave up after $ULP_MS ms: it did not retry until its 2 s timeout"
check_applied "$pid" "$P"
ask t "call gate" '^gate 201$'

step "released, the thread leaves gate_v2(); the revert goes through"
ask t release '^released$'
ask t result '^result 201$'
revert_ok "$pid" "$P"
ask t "call gate" '^gate 7$'
check_not_applied "$pid" "$P"

step "--no-stack-check: the revert goes through at once with a thread inside gate_v2()"
trigger_ok "$pid" "$P"
stack_job t gate
trigger_ok "$pid" "$P" --revert --no-stack-check
((ULP_MS < 1800)) || fail "with --no-stack-check the revert still took $ULP_MS ms"
ask t "call gate" '^gate 7$'
check_not_applied "$pid" "$P"
ask t release '^released$'
# its call was already in gate_v2: it finishes there
ask t result '^result 201$'

grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
target_stop t
log "PASS"
