#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# thread-churn.sh - patching a process whose threads come and go.
# churn-prog's threads are created and exit all the time (detached ones
# and joined ones, thousands a second); each calls churn_value() and
# exits.  Three processes, one after the other, each applied and reverted
# CHURN_CYCLES times (default 100):
#
#  1. churn-prog: only the thread churn;
#  2. churn-prog --main-exits: the main thread has called pthread_exit()
#     (it is a zombie) and another thread answers;
#  3. churn-prog --fork-exec: one more thread forks and execs children
#     (/bin/true, churn-prog itself, posix_spawn) without end, so that
#     forks and execs happen during every trigger.
#
# Each trigger must patch, or fail cleanly (exit 1, an error line, the
# process as it was); one that finds no safe moment within its --timeout
# is counted and allowed only if rare (CHURN_MAX_TIMEOUTS, default 1% of
# the triggers).  After each apply or revert, threads created afterwards
# see the right version; the process stays alive.  No child of a target
# is ever stopped or traced (checked after every trigger, and the
# children's own exit statuses and waits say so); no call returns a third
# value.
. "$(dirname "$0")/lib.sh"
setup

# lib.sh takes a process whose main thread is a zombie for gone; with
# --main-exits it is not.  Kill such a target of ours (by its PID) before
# lib.sh's clean-up, which would otherwise wait for it.
MAIN_EXITED=""
trap 'rc=$?; [ -z "$MAIN_EXITED" ] || { kill -KILL "$MAIN_EXITED" 2>/dev/null; wait_gone "$MAIN_EXITED"; }; (exit $rc); cleanup' EXIT

# threads_alive PID - does any thread of PID still run (not a zombie)?
threads_alive() {
	local f stat rest
	for f in /proc/"$1"/task/*/stat; do
		{ read -r stat <"$f"; } 2>/dev/null || continue
		rest=${stat##*) }
		case ${rest%% *} in
		Z | X) ;;
		*) return 0 ;;
		esac
	done
	return 1
}

# wait_gone PID - until no thread of PID runs (bounded).
wait_gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		threads_alive "$1" || return 0
		sleep 0.05
	done
	return 1
}

CYCLES=${CHURN_CYCLES:-100}
TRIGGER_TIMEOUT=5
MAX_TIMEOUTS=${CHURN_MAX_TIMEOUTS:-$((CYCLES * 2 / 100))}
MAX_ATTEMPTS=3 # per operation: a timeout is retried this many times
P=$(container churn)
old=51 new=102 # CHURN_OLD, CHURN_NEW in tests/targets/locks-churn.h

# children_stopped PID - fail if a child of PID is stopped or traced: a
# fork during a trigger must not leave its child held by ulp.
children_stopped() {
	local stat f rest ppid state tracer
	for f in /proc/[0-9]*/stat; do
		{ read -r stat <"$f"; } 2>/dev/null || continue
		rest=${stat##*) }
		read -r state ppid _ <<<"$rest"
		[ "$ppid" = "$1" ] || continue
		case $state in
		t | T) fail "child ${f//[^0-9]/} of $1 is in state '$state'" ;;
		esac
		tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "${f%stat}status" 2>/dev/null)
		[ "${tracer:-0}" = 0 ] || fail "child ${f//[^0-9]/} of $1 is traced by $tracer"
	done
}

timeouts=0 triggers=0 patched=0 longest=0
# op NAME VERSION_BEFORE VERSION_AFTER [--revert] - one apply or revert of
# target NAME, retried after a clean timeout; threads created afterwards
# must see VERSION_AFTER once it patched, VERSION_BEFORE after a failure.
op() {
	local name=$1 before=$2 after=$3 pid=${T_PID[$1]} attempt
	shift 3
	for ((attempt = 1; attempt <= MAX_ATTEMPTS; attempt++)); do
		run_ulp trigger -p "$pid" --timeout="$TRIGGER_TIMEOUT" "$@" "$P"
		triggers=$((triggers + 1))
		((ULP_MS <= longest)) || longest=$ULP_MS
		if [ $RC = 0 ]; then
			summary_is 1 0 0
			patched=$((patched + 1))
			ask "$name" "expect $after" '^ok$'
			return 0
		fi
		summary_is 0 0 1
		expect_error 'process [0-9]+'
		[[ $ERR == *"was not in a consistent state within the timeout"* ]] ||
			fail "trigger $triggers ($name $*) failed for another reason than a timeout"
		timeouts=$((timeouts + 1))
		log "trigger $triggers ($name $*): no safe moment within ${TRIGGER_TIMEOUT} s: ${ERR#*error: }"
		ask "$name" "expect $before" '^ok$'
		((timeouts <= MAX_TIMEOUTS)) || fail "$timeouts triggers found no safe moment: more than $MAX_TIMEOUTS"
	done
	fail "$MAX_ATTEMPTS triggers in a row ($name $*) found no safe moment"
}

STATS_RE='^stats threads ([0-9]+) detached ([0-9]+) joined ([0-9]+) errors ([0-9]+) old ([0-9]+) new ([0-9]+) children ([0-9]+) failures ([0-9]+) maxwait_ms ([0-9]+)$'
# stats NAME - sets THREADS, ERRORS, CHILDREN, FAILURES, MAXWAIT from the target's stats
stats() {
	ask "$1" stats "$STATS_RE"
	[[ $EXPECT_LINE =~ $STATS_RE ]]
	THREADS=${BASH_REMATCH[1]} ERRORS=${BASH_REMATCH[4]} CHILDREN=${BASH_REMATCH[7]}
	FAILURES=${BASH_REMATCH[8]} MAXWAIT=${BASH_REMATCH[9]}
}

# churn NAME [OPTIONS...] - start churn-prog OPTIONS as NAME, apply and
# revert CYCLES times, check its counts, stop it.
churn() {
	local name=$1 pid i t0 threads0 children0
	shift
	target_start "$name" "$TARGETS/churn-prog" "$@"
	pid=$(tpid "$name")
	if [[ " $* " == *" --main-exits "* ]]; then
		MAIN_EXITED=$pid
		local state
		state=$(proc_state "$pid")
		[ "$state" = Z ] || fail "the main thread of churn-prog $* is in state '$state', not a zombie"
	fi
	ask "$name" "expect $old" '^ok$'
	stats "$name"
	threads0=$THREADS children0=$CHILDREN
	t0=$(now_ms)
	QUIET=1
	for ((i = 1; i <= CYCLES; i++)); do
		op "$name" $old $new
		children_stopped "$pid"
		op "$name" $new $old --revert
		children_stopped "$pid"
	done
	QUIET=
	threads_alive "$pid" || fail "$name (pid $pid) is not running"
	stats "$name"
	log "$name: $CYCLES cycles in $(($(now_ms) - t0)) ms; $((THREADS - threads0)) threads created," \
		"$((CHILDREN - children0)) children forked meanwhile (longest wait for one: $MAXWAIT ms)"
	ask "$name" why '^why '
	[ "$FAILURES" = 0 ] || fail "$name: $FAILURES threads or children went wrong; first: ${EXPECT_LINE#why }"
	[ "$ERRORS" = 0 ] || fail "$name: $ERRORS calls returned neither $old nor $new"
	((THREADS - threads0 > CYCLES * 10)) || fail "$name: only $((THREADS - threads0)) threads were created"
	check_not_applied "$pid" "$P"
	children_stopped "$pid"
	target_stop "$name"
	[ "$pid" != "$MAIN_EXITED" ] || MAIN_EXITED=""
}

step "1. threads created and exiting all the time"
churn c

step "2. the main thread has exited; another answers"
churn m --main-exits

step "3. children forked and exec'ed all the time"
churn f --fork-exec
((CHILDREN > CYCLES)) || fail "only $CHILDREN children were forked"
((MAXWAIT < 1000)) || fail "a child took $MAXWAIT ms to exit: was it held stopped?"

step "counts"
log "$triggers triggers: $patched patched, $timeouts without a safe moment (--timeout=$TRIGGER_TIMEOUT)," \
	"0 other failures; longest $longest ms"
log "PASS"
