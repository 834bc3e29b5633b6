#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# signals-during-borrow.sh - a single-threaded target (sig-prog) counts the
# SIGRTMIN signals it gets while it is applied and reverted 20 times (or
# more, until 2000 signals have arrived).  Its only thread is the one ulp
# borrows, so signals keep arriving while it is borrowed and while the
# process is stopped.  Real-time signals queue: the target must end up with
# exactly as many deliveries as the kernel accepted from sig-send - none
# lost, none doubled.  After each apply the target answers with the new
# code, after each revert with the old, and its read(2) (SA_RESTART) never
# reports an error.
. "$(dirname "$0")/lib.sh"
setup

CYCLES=${SIGNAL_CYCLES:-20}
MIN_SIGNALS=2000
P=$(container plain)
target_start t "$TARGETS/sig-prog"
pid=$(tpid t)
ask t "count" '^count 0$'

step "start sending SIGRTMIN"
# At most 40000 signals, one every 100 us: the sender outlasts the cycles
# (it is stopped with SIGTERM when they are done) and stays bounded.
"$TARGETS/sig-send" "$pid" 40000 100 >"$T/send.out" 2>"$T/send.err" &
sender=$!
PIDS+=("$sender")
log "sig-send: pid $sender"
for ((i = 0; i < 100; i++)); do
	send t count
	expect_next t '^count [0-9]+$'
	[ "${EXPECT_LINE#count }" -gt 0 ] && break
	sleep 0.01
done
[ "${EXPECT_LINE#count }" -gt 0 ] || fail "no signal arrived within 1 s"
log "signals flowing: $EXPECT_LINE"

step "$CYCLES+ apply/revert cycles while the signals arrive"
# at least CYCLES, and on until MIN_SIGNALS have been delivered
t0=$(now_ms)
QUIET=1
for ((i = 1; ; i++)); do
	trigger_ok "$pid" "$P"
	ask t "plain $i" "^plain $((i + 1000))\$"
	revert_ok "$pid" "$P"
	ask t "plain $i" "^plain $((i + 1))\$"
	((i % 5)) || log "$i cycles, $(($(now_ms) - t0)) ms"
	if ((i >= CYCLES)); then
		ask t count '^count [0-9]+$'
		((${EXPECT_LINE#count } >= MIN_SIGNALS)) && break
	fi
	((i < 10 * CYCLES)) || fail "fewer than $MIN_SIGNALS signals arrived during $i cycles"
done
QUIET=
log "$i cycles, $(($(now_ms) - t0)) ms, $EXPECT_LINE"
pid_alive "$sender" || fail "sig-send finished before the cycles did: it may not have covered them (see $T/send.err)"

step "stop the sender; every signal it sent was delivered once"
kill -TERM "$sender"
for ((i = 0; i < 100; i++)); do
	pid_alive "$sender" || break
	sleep 0.05
done
pid_alive "$sender" && fail "sig-send (pid $sender) did not stop on SIGTERM"
wait "$sender"
rc=$?
[ $rc = 0 ] || fail "sig-send exited $rc: $(cat "$T/send.err")"
read -r _ sent <"$T/send.out"
[[ $sent =~ ^[0-9]+$ ]] || fail "sig-send did not report its count: '$(cat "$T/send.out")'"
log "sig-send: $sent signals sent"
# The signals still queued are delivered before the target takes its next
# line: the first count is final.
ask t count "^count $sent\$"
ask t count "^count $sent\$"

assert_alive t
grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
check_not_applied "$pid" "$P"
target_stop t
log "PASS"
