#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# many-args.sh - args_sum() takes 10 int (4 of them on the stack) and 8
# double arguments; the new version returns a checksum that weighs each by
# its position.  The target computes both expected checksums itself, so the
# answer "args R old O new N" must have R = O before and R = N after.
. "$(dirname "$0")/lib.sh"
setup

P=$(container args)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

# args_is K old|new - the answer for seed K comes from that version.
args_is() {
	ask t "args $1" '^args (-?[0-9]+) old (-?[0-9]+) new (-?[0-9]+)$'
	local r=${BASH_REMATCH[1]} o=${BASH_REMATCH[2]} n=${BASH_REMATCH[3]}
	[ "$o" != "$n" ] || fail "the checksums of the two versions coincide for seed $1"
	case $2 in
	old) [ "$r" = "$o" ] || fail "seed $1: got $r, the old version returns $o" ;;
	new) [ "$r" = "$n" ] || fail "seed $1: got $r, expected the new checksum $n (an argument was lost or moved)" ;;
	esac
}

step "old version"
for k in 0 1 7; do args_is $k old; done
step "apply: every argument reaches the new function intact"
trigger_ok "$pid" "$P"
for k in 0 1 7 -5 12345; do args_is $k new; done
check_applied "$pid" "$P"
step "revert"
revert_ok "$pid" "$P"
for k in 1 7; do args_is $k old; done
target_stop t
log "PASS"
