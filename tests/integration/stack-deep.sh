#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-deep.sh - the unwind goes through a deep stack to its outermost
# frame.  stack-prog's worker runs deep_outer(10000) -> deep_rec() 10,001
# levels deep (libdeep.so, one real frame per level), blocked in read(2)
# at the bottom:
#  - a patch of deep_value(), on no stack: applies and reverts within the
#    default timeout; the -v time of the stack check is printed;
#  - a patch of deep_rec() itself: trigger --timeout=2 fails naming it
#    (lib-deep.c:LINE), found at frame 1;
#  - a patch of deep_outer(), under all the deep_rec() frames: fails naming
#    it, found at a frame deeper than 10,000: the walk went through them;
#  - released, the call returns the old answer; then both patches apply,
#    and a 10,000-deep call runs the new deep_rec() at every level.
. "$(dirname "$0")/lib.sh"
setup

DEPTH=10000
PV=$(container deep)
PR=$(container deeprec)
PO=$(container deepouter)
target_start t "$TARGETS/stack-prog"
pid=$(tpid t)

step "before any patch: deep(n) = n + b, deepv(n) = n + 1"
ask t "call deep 5" '^deep 6$'
ask t "call deepv 5" '^deepv 6$'

step "the worker goes $DEPTH levels down deep_rec() and blocks there"
stack_job t deep $DEPTH

step "patch deep_value(), which is on no stack: applies within the default timeout"
run_ulp trigger -v -p "$pid" "$PV"
summary_is 1 0 0
[ $RC = 0 ] || fail "trigger exited $RC though it patched the process"
stack_check_figures
[ "$CHECK_THREADS" = 2 ] || fail "the stack check unwound $CHECK_THREADS threads, not 2"
ask t "call deepv 5" '^deepv 55$'
run_ulp trigger -v -p "$pid" --revert "$PV"
summary_is 1 0 0
[ $RC = 0 ] || fail "revert exited $RC though it patched the process"
stack_check_figures
ask t "call deepv 5" '^deepv 6$'

step "patch deep_rec(), the function the worker is $DEPTH levels deep in: refused"
trigger_fails "$pid" "$PR" \
	"thread $JOB_TID is inside 'deep_rec' \\([^)]*lib-deep\\.c:[0-9]+\\), which the patch replaces; nothing was written" \
	-v --timeout=2
summary_is 0 0 1
inside_frame "$JOB_TID" deep_rec
[ "$FRAME" = 1 ] || fail "the innermost deep_rec() frame is 1 (above it only read), not $FRAME"
check_not_applied "$pid" "$PR"

step "patch deep_outer(), below all $DEPTH deep_rec() frames: refused"
trigger_fails "$pid" "$PO" \
	"thread $JOB_TID is inside 'deep_outer' \\([^)]*lib-deep\\.c:[0-9]+\\), which the patch replaces; nothing was written" \
	-v --timeout=2
summary_is 0 0 1
inside_frame "$JOB_TID" deep_outer
((FRAME > DEPTH)) || fail "deep_outer() was found at frame $FRAME: the walk did not go through $DEPTH frames"
check_not_applied "$pid" "$PO"
ask t "call deep 5" '^deep 6$'

step "released: the worker comes back up with the old answer; both patches apply"
ask t release '^released$'
ask t result "^result $((DEPTH + 1))\$"
trigger_ok "$pid" "$PR"
ask t "call deep 5" '^deep 5006$'
trigger_ok "$pid" "$PO"
ask t "call deep 5" '^deep 105006$'
stack_job t deep $DEPTH
ask t release '^released$'
ask t result "^result $((DEPTH + 1 + 5000 + 100000))\$"
revert_ok "$pid" "$PO"
revert_ok "$pid" "$PR"
ask t "call deep 5" '^deep 6$'

grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
target_stop t
log "PASS"
