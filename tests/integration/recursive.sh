#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recursive.sh - rec_sum() of librec.so calls itself (the build keeps the
# recursion: -fno-optimize-sibling-calls).  The new version recurses
# through the old name, so the answer is the sum of squares only if every
# level enters the new code through the patched entry; one level left on
# the old code would give a different number.
. "$(dirname "$0")/lib.sh"
setup

P=$(container rec)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

step "apply, check, revert, check"
patch_cycle t "$P" "rec 10" '^rec 55$' '^rec 385$'

step "deep recursion on the new code"
trigger_ok "$pid" "$P"
ask t "rec 1" '^rec 1$'
ask t "rec 100" '^rec 338350$'
ask t "rec 1000" '^rec 333833500$'
revert_ok "$pid" "$P"
ask t "rec 1000" '^rec 500500$'
target_stop t
log "PASS"
