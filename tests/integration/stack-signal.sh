#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-signal.sh - a signal handler on top of the function to be patched.
# stack-prog's worker spins inside spin_until() (libspin.so), in its own
# body, not in a system call; SIGUSR1 arrives and the handler blocks in
# read(2).  The unwind must cross the signal frame to the interrupted
# spin_until() (whose address there is exact, not a return address):
#  - trigger --timeout=2 fails naming the thread and 'spin_until'
#    (lib-spin.c:LINE), found below the handler (-v: at frame >= 2);
#    nothing was written;
#  - the handler released, the worker is back spinning in spin_until():
#    still refused, now at frame 0;
#  - told to leave, the worker returns (old answer); the trigger applies;
#  - with --no-stack-check the patch applies at once over the handler.
. "$(dirname "$0")/lib.sh"
setup

P=$(container spin)
target_start t "$TARGETS/stack-prog"
pid=$(tpid t)

# wait_running TID - until the thread is out of any system call
wait_running() {
	local i sc
	for ((i = 0; i < EXPECT_TIMEOUT * 50; i++)); do
		read -r sc _ <"/proc/$pid/task/$1/syscall" 2>/dev/null
		[ "$sc" = running ] && return 0
		sleep 0.02
	done
	fail "thread $1 is not running (its syscall file says '$sc')"
}

# handler_on_top - the worker spins in spin_until(), SIGUSR1's handler
# blocked on top of it.
handler_on_top() {
	stack_job t spin
	ask t signal '^signalled tid [0-9]+ fd [0-9]+$'
	read -r _ _ sig_tid _ sig_fd <<<"$EXPECT_LINE"
	[ "$sig_tid" = "$JOB_TID" ] || fail "the signal went to thread $sig_tid, not to the worker $JOB_TID"
	wait_in_read "$pid" "$JOB_TID" "$sig_fd"
	log "worker: thread $JOB_TID, in spin_until(), its SIGUSR1 handler blocked in read($sig_fd)"
}

step "before any patch: spin_until() = 11"
ask t "call spin" '^spin 11$'

step "a signal handler blocks on top of spin_until(): the trigger times out, naming it"
handler_on_top
trigger_fails "$pid" "$P" \
	"not in a consistent state within the timeout: thread $JOB_TID is inside 'spin_until' \\([^)]*lib-spin\\.c:[0-9]+\\), which the patch replaces; nothing was written" \
	-v --timeout=2
summary_is 0 0 1
inside_frame "$JOB_TID" spin_until
((FRAME >= 2)) || fail "spin_until() was found at frame $FRAME: not below the handler and its read"
check_not_applied "$pid" "$P"
ask t "call spin" '^spin 11$'

step "the handler returns; the worker spins on inside spin_until(): still refused"
ask t sigrelease '^sigreleased$'
wait_running "$JOB_TID"
trigger_fails "$pid" "$P" "thread $JOB_TID is inside 'spin_until' .*, which the patch replaces" -v --timeout=2
inside_frame "$JOB_TID" spin_until
[ "$FRAME" = 0 ] || fail "a thread spinning in spin_until() was found there at frame $FRAME, not 0"
check_not_applied "$pid" "$P"

step "the worker leaves spin_until(): the trigger applies"
ask t leave '^left$'
ask t result '^result 11$'
trigger_ok "$pid" "$P"
ask t "call spin" '^spin 22$'
revert_ok "$pid" "$P"
ask t "call spin" '^spin 11$'

step "--no-stack-check: applies at once over the handler"
handler_on_top
trigger_ok "$pid" "$P" --no-stack-check
((ULP_MS < 1800)) || fail "with --no-stack-check the trigger still took $ULP_MS ms"
ask t "call spin" '^spin 22$'
ask t sigrelease '^sigreleased$'
ask t leave '^left$'
# the interrupted call was in the old body: it finishes there
ask t result '^result 11$'
revert_ok "$pid" "$P"
ask t "call spin" '^spin 11$'

grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
target_stop t
log "PASS"
