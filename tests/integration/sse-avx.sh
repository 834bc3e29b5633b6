#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sse-avx.sh - sse-prog is single-threaded, so ulp must borrow its only
# thread, which spends nearly all its time in an asm loop holding patterns
# in ymm0-15 (xmm0-15 without AVX2), a non-default MXCSR and x87 control
# word, and checking them continuously.  After every apply and revert the
# registers must be intact and the patched function must answer.  Runs on
# the AVX2 path (when the CPU has it) and on the SSE path.
. "$(dirname "$0")/lib.sh"
setup

P=$(container sse)
max_stall=0

# status_ok NAME - the registers held their patterns all along.
status_ok() {
	ask "$1" status '^regs '
	[[ $EXPECT_LINE =~ ^regs\ ok\ spins\ [0-9]+\ stall_us\ ([0-9]+)$ ]] ||
		fail "$1: registers changed under the program: $EXPECT_LINE"
	local stall=${BASH_REMATCH[1]}
	((stall > max_stall)) && max_stall=$stall
	return 0
}

# cycles NAME N - N apply/revert cycles with checks.
cycles() {
	local name=$1 pid=${T_PID[$1]} i
	for ((i = 1; i <= $2; i++)); do
		trigger_ok "$pid" "$P"
		status_ok "$name"
		ask "$name" "call 5" '^value 105$'
		revert_ok "$pid" "$P"
		status_ok "$name"
		ask "$name" "call 5" '^value 6$'
	done
}

for mode in default sse; do
	step "mode $mode"
	args=()
	[ $mode = sse ] && args=(sse)
	target_start "$mode" "$TARGETS/sse-prog" "${args[@]}"
	log "$EXPECT_LINE"
	status_ok "$mode"
	ask "$mode" "call 5" '^value 6$'
	cycles "$mode" 5
	target_stop "$mode"
done

# The longest stop the program saw inside its asm loop: it shows that the
# thread was stopped (and borrowed) there, which is the point of the test.
log "longest stop inside the register-checking loop: $max_stall us"
((max_stall >= 100)) || log "NOTE: no long stop inside the asm loop was seen"
log "PASS"
