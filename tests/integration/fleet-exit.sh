#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fleet-exit.sh - 100 processes patched by one trigger without -p, one of
# them killed while the patch is being loaded into it: that one is
# SKIPPED (it is gone, not a failure), no process FAILED, the summary
# counts match the per-process lines, and every surviving process answers
# with the new code.  The patch's constructor sleeps 300 ms on the
# borrowed thread, so the victim is caught in the middle of its load.
# Other tests' processes with the runtime are selected too (no -p): they
# do not load libexit.so (exit-prog's own build of lib-many.c), so they
# are only looked at and skipped; the checks are made per pid of ours.
. "$(dirname "$0")/lib.sh"
setup

S=$(container exitslow)
N=100
for ((k = 0; k < N; k++)); do
	QUIET=1 target_start "m$k" "$TARGETS/exit-prog"
done
victim=$(tpid m50)

step "trigger without -p; kill pid $victim while its borrowed thread loads the patch"
ulp_bg_start trigger "$S"
wait_in_sleep "$victim"
kill -KILL "$victim"
ulp_bg_wait
[ "$FAILED" = 0 ] || fail "$FAILED process(es) failed"
[ "$RC" = 0 ] || fail "exit $RC, expected 0"
((PATCHED >= N - 1)) || fail "only $PATCHED patched"
((PATCHED + SKIPPED_N == $(grep -c '^pid [0-9]* (' <<<"$OUT"))) ||
	fail "the summary does not match the per-process lines"
grep -q "^pid $victim (.*): SKIPPED: .*exited" <<<"$OUT" || fail "the killed process is not reported SKIPPED"
forget_pid "$victim"

step "every other process runs the new code"
for ((k = 0; k < N; k++)); do
	[ $k = 50 ] && continue
	grep -q "^pid $(tpid m$k) (.*): applied " <<<"$OUT" || fail "no 'applied' line for m$k (pid $(tpid m$k))"
	QUIET=1 ask "m$k" "many 1" '^many 501$'
done
log "PASS"
