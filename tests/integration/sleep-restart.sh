#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sleep-restart.sh - a single-threaded target (sleep-prog) loops on relative
# 200 ms sleeps (nanosleep and clock_nanosleep in turn) while it is applied
# and reverted 4 times, each trigger landing ~80 ms into a sleep.  The
# kernel must resume each interrupted sleep for the time left: every sleep
# returns 0 (no EINTR), lasts at least 200 ms (no time lost) and at most
# 250 ms (not restarted from zero, which would take 280 ms or more).  After
# each step the target answers with the right version.
. "$(dirname "$0")/lib.sh"
setup

CYCLES=${SLEEP_CYCLES:-4}
SLEEP_MS=200
SLACK_MS=50
INTO_MS=80 # how far into a sleep each trigger starts
P=$(container plain)
target_start t "$TARGETS/sleep-prog" "$SLEEP_MS"
pid=$(tpid t)

# into_sleep - called right after the target answered a command, i.e.
# as it starts a sleep: return INTO_MS later, the target still asleep.
into_sleep() {
	sleep "$(printf '0.%03d' "$INTO_MS")"
	wait_in_sleep "$pid"
}

# Each answer comes when a sleep has ended, just before the next one.
ask t "plain 5" '^plain 6$'
for ((i = 1; i <= CYCLES; i++)); do
	step "cycle $i: apply, then revert, each in the middle of a sleep"
	into_sleep
	trigger_ok "$pid" "$P"
	ask t "plain $i" "^plain $((i + 1000))\$"
	into_sleep
	revert_ok "$pid" "$P"
	ask t "plain $i" "^plain $((i + 1))\$"
done

step "every sleep returned 0 after $SLEEP_MS..$((SLEEP_MS + SLACK_MS)) ms"
ask t stats '^sleeps [0-9]+ eintr [0-9]+ errors [0-9]+ min_us [0-9]+ max_us [0-9]+$'
read -r _ sleeps _ eintr _ errors _ min_us _ max_us <<<"$EXPECT_LINE"
((sleeps >= 2 * CYCLES)) || fail "only $sleeps sleeps for $((2 * CYCLES)) triggers"
[ "$eintr" = 0 ] || fail "$eintr sleeps failed with EINTR"
[ "$errors" = 0 ] || fail "$errors sleeps failed"
((min_us >= SLEEP_MS * 1000)) || fail "a sleep lasted $min_us us, less than $SLEEP_MS ms: sleep time was lost"
((max_us <= (SLEEP_MS + SLACK_MS) * 1000)) ||
	fail "a sleep lasted $max_us us, more than $((SLEEP_MS + SLACK_MS)) ms: restarted from zero?"
grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
check_not_applied "$pid" "$P"
target_stop t
log "PASS"
