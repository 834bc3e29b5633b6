#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# measure-trigger.sh - how long does one `ulp trigger` take, and how long
# does the target stand still?  Not a test: it prints numbers, it never
# fails on them.
#
# timing-prog's threads read CLOCK_MONOTONIC in a tight loop (calling the
# patched function) and keep the largest gap between two readings.  Each
# run resets that maximum, triggers (apply, then revert), and reads it: the
# pause the process felt.  A baseline with no trigger shows the noise.
#
# Usage: ULP_BUILD_DIR=build tests/integration/measure-trigger.sh [RUNS] [THREADS]
#   RUNS (default 20); THREADS for timing-prog (default: CPUs - 1).
#   ULP=... measures another ulp; ULP_FLAGS="..." adds trigger options.
. "$(dirname "$0")/lib.sh"
setup

RUNS=${1:-20}
THREADS=${2:-}
P=$(container timing)
ULP_FLAGS=${ULP_FLAGS:-}
QUIET=1

# stats NAME VALUES... - "NAME: median M, min A, max B" (integers).
stats() {
	local name=$1 n
	shift
	local sorted=($(printf '%s\n' "$@" | sort -n))
	n=${#sorted[@]}
	printf '%-28s median %8s   min %8s   max %8s   (n=%d)\n' "$name" \
		"${sorted[n / 2]}" "${sorted[0]}" "${sorted[n - 1]}" "$n"
}

# gap - the largest gap (us) since the last call, into GAP; VALUE what the
# patched function returns now.
gap() {
	ask m gap '^gap_us [0-9]+ calls [0-9]+ value -?[0-9]+$'
	read -r _ GAP _ _ _ VALUE <<<"$EXPECT_LINE"
}

target_start m "$TARGETS/timing-prog" $THREADS
echo "# $EXPECT_LINE, $RUNS runs, container $P"
sleep 0.3
gap

base=() apply_ms=() apply_pause=() revert_ms=() revert_pause=()
for ((i = 0; i < RUNS; i++)); do
	sleep 0.1
	gap
	base+=("$GAP")

	gap
	trigger_ok "$(tpid m)" "$P" $ULP_FLAGS
	apply_ms+=("$((ULP_US / 1000)).$(printf '%03d' $((ULP_US % 1000)))")
	gap
	[ "$VALUE" = 3 ] || fail "after apply timing_value(1) = $VALUE, expected 3"
	apply_pause+=("$GAP")

	gap
	revert_ok "$(tpid m)" "$P" $ULP_FLAGS
	revert_ms+=("$((ULP_US / 1000)).$(printf '%03d' $((ULP_US % 1000)))")
	gap
	[ "$VALUE" = 2 ] || fail "after revert timing_value(1) = $VALUE, expected 2"
	revert_pause+=("$GAP")
done
target_stop m

echo
stats "baseline gap (us)" "${base[@]}"
stats "apply: ulp wall time (ms)" "${apply_ms[@]}"
stats "apply: target pause (us)" "${apply_pause[@]}"
stats "revert: ulp wall time (ms)" "${revert_ms[@]}"
stats "revert: target pause (us)" "${revert_pause[@]}"
