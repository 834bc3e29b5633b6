#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# blocked-read.sh - the target's only thread sits in read(2) on its stdin
# pipe while ulp borrows it.  Afterwards it must still be in that read and
# take its next line normally: no "ERR read: ..." (an EINTR the program never
# asked for), no lost or doubled input, and the answer from the new function.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

# in_read - wait (bounded) until the target is blocked in read(2) on fd 0.
in_read() {
	local i sc fd
	for ((i = 0; i < 100; i++)); do
		read -r sc fd _ <"/proc/$pid/syscall" 2>/dev/null
		[ "$sc" = 0 ] && [ "$fd" = 0x0 ] && return 0
		sleep 0.02
	done
	fail "target is not blocked in read(0, ...): /proc/$pid/syscall says '$sc $fd'"
}

for round in 1 2 3; do
	step "round $round: apply while blocked in read"
	in_read
	trigger_ok "$pid" "$P"
	in_read
	ask t "plain $round" "^plain $((round + 1000))\$"

	step "round $round: revert while blocked in read"
	in_read
	revert_ok "$pid" "$P"
	in_read
	ask t "plain $round" "^plain $((round + 1))\$"
done

step "several lines sent at once are all answered, in order"
send t "plain 1"
send t "plain 2"
send t "plain 3"
expect_next t '^plain 2$'
expect_next t '^plain 3$'
expect_next t '^plain 4$'
grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
target_stop t
log "PASS"
