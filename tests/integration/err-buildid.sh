#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-buildid.sh - bid-prog loads libbid.so build A (build-id aaaa...).  A
# patch packed against build B (same name and code, build-id bbbb...) is
# SKIPPED with "buildid mismatch"; the same patch packed against build A
# applies, so the build-id is the only difference that matters.
. "$(dirname "$0")/lib.sh"
setup

A=$(container bid)
B=$(container bid_b)
target_start b "$TARGETS/bid-prog"
pid=$(tpid b)

step "the patch for build B"
trigger_skipped "$pid" "$B" "buildid mismatch"
ask b "bid 5" '^bid 6$'
check_not_applied "$pid" "$B"

step "the same patch for build A (positive control)"
patch_cycle b "$A" "bid 5" '^bid 6$' '^bid 505$'

step "B is still refused while A is applied"
trigger_ok "$pid" "$A"
trigger_skipped "$pid" "$B" "buildid mismatch"
ask b "bid 1" '^bid 501$'
revert_ok "$pid" "$A"
ask b "bid 1" '^bid 2$'
target_stop b
log "PASS"
