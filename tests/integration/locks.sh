#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# locks.sh - patching threads that hold or wait for locks.
#
# Part 1: locks-prog --gate's thread spins inside locks_wait(), then waits
# there for a mutex another thread holds most of the time.  A stop that
# finds it spinning lets it run out alone; it then waits for the mutex a
# stopped thread holds, and the run-out gives up: the thread must be given
# back and run on at once (it used to come back only after ulp had waited
# a second for a stop that never came, the threads after it still
# stopped, so triggers ran out of time).  LOCKS_GATE_CYCLES (default 50)
# apply/revert cycles: each trigger must patch within 3 s, and some must
# have let the thread run out.
#
# Part 2: locks-prog's 16 threads hammer the locks a patch load needs
# (malloc/realloc/free of varied sizes, large ones mmap()ed; dlopen and
# dlclose of liblocksdl.so; fork, the child exiting at once or exec'ing
# /bin/true) while locks_value(), which they call in their loop and which
# allocates inside, is applied and reverted LOCKS_CYCLES times (default
# 50, about 20 s here; 1000 in the soak, locks-soak: meson test -C BUILD
# --suite soak locks-soak).
#
# Each trigger must patch, or fail cleanly: exit 1 with an error line, the
# process as it was (the threads still see the version before, and ulp
# check agrees).  A trigger that finds no safe moment within its
# --timeout is counted; it is acceptable only if rare (at most
# LOCKS_MAX_TIMEOUTS, default 1% of the triggers).  Any other failure,
# a hang, a crash, a wrong version seen by a thread, a failed malloc,
# dlopen, fork or child, or a child left stopped fails the test.
. "$(dirname "$0")/lib.sh"
setup

GATE_CYCLES=${LOCKS_GATE_CYCLES:-50}
CYCLES=${LOCKS_CYCLES:-50}
TRIGGER_TIMEOUT=${LOCKS_TRIGGER_TIMEOUT:-5}
MAX_TIMEOUTS=${LOCKS_MAX_TIMEOUTS:-$((CYCLES * 2 / 100))}
MAX_ATTEMPTS=3 # per operation: a timeout is retried this many times
P=$(container locks)
old=41 new=82 # LOCKS_OLD, LOCKS_NEW in tests/targets/locks-churn.h

step "part 1: a thread let run out into a mutex a stopped thread holds; $GATE_CYCLES cycles"
target_start g "$TARGETS/locks-prog" --gate
gpid=$(tpid g)
ask g "expect $old" '^ok$'
runouts=0
t0=$(now_ms)
QUIET=1
for ((i = 1; i <= GATE_CYCLES; i++)); do
	trigger_ok "$gpid" "$P" -v --timeout=3
	runouts=$((runouts + $(grep -c 'letting it run out alone' <<<"$ERR")))
	ask g "expect $new" '^ok$'
	trigger_ok "$gpid" "$P" --revert -v --timeout=3
	runouts=$((runouts + $(grep -c 'letting it run out alone' <<<"$ERR")))
	ask g "expect $old" '^ok$'
done
QUIET=
log "$GATE_CYCLES cycles in $(($(now_ms) - t0)) ms; the thread was let run out $runouts times"
((runouts > 0)) || fail "no trigger let the thread run out: the part tested nothing"
target_stop g

step "part 2: 16 threads taking the allocator's, loader's and fork's locks"
target_start l "$TARGETS/locks-prog"
pid=$(tpid l)

# children_stopped PID - fail if a child of PID is stopped or traced: a
# fork ulp made it see would be left so (ulp never traces children).
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

patched=0 timeouts=0 longest=0 total_ms=0 triggers=0
# op VERSION_BEFORE VERSION_AFTER [--revert] - one apply or revert, retried
# after a clean timeout; the threads must see VERSION_AFTER once it
# patched, VERSION_BEFORE after each clean failure.
op() {
	local before=$1 after=$2 attempt
	shift 2
	for ((attempt = 1; attempt <= MAX_ATTEMPTS; attempt++)); do
		run_ulp trigger -p "$pid" --timeout="$TRIGGER_TIMEOUT" "$@" "$P"
		triggers=$((triggers + 1))
		total_ms=$((total_ms + ULP_MS))
		((ULP_MS <= longest)) || longest=$ULP_MS
		if [ $RC = 0 ]; then
			summary_is 1 0 0
			patched=$((patched + 1))
			ask l "expect $after" '^ok$'
			return 0
		fi
		# not patched: it must say why, and have changed nothing
		summary_is 0 0 1
		expect_error 'process [0-9]+'
		if [[ $ERR == *"was not in a consistent state within the timeout"* ]]; then
			timeouts=$((timeouts + 1))
			log "trigger $triggers ($*): no safe moment within ${TRIGGER_TIMEOUT} s: ${ERR#*error: }"
		else
			fail "trigger $triggers ($*) failed for another reason than a timeout"
		fi
		ask l "expect $before" '^ok$'
		((timeouts <= MAX_TIMEOUTS)) || fail "$timeouts triggers found no safe moment: more than $MAX_TIMEOUTS"
	done
	fail "$MAX_ATTEMPTS triggers in a row ($*) found no safe moment"
}

ask l "expect $old" '^ok$'
log "$CYCLES apply/revert cycles, each trigger with --timeout=$TRIGGER_TIMEOUT"
t0=$(now_ms)
QUIET=1
for ((i = 1; i <= CYCLES; i++)); do
	op $old $new
	op $new $old --revert
	children_stopped "$pid"
	if ((i % (CYCLES > 100 ? 100 : 10) == 0)); then
		assert_alive l
		ask l stats '^stats '
		log "$i cycles, $(($(now_ms) - t0)) ms: $EXPECT_LINE"
	fi
done
QUIET=
elapsed=$(($(now_ms) - t0))
assert_alive l

step "counts"
log "$CYCLES cycles in $elapsed ms: $triggers triggers, $patched patched, $timeouts without a safe moment" \
	"(--timeout=$TRIGGER_TIMEOUT), 0 other failures; trigger mean $((total_ms / triggers)) ms, longest $longest ms"
ask l stats '^stats calls [0-9]+ errors [0-9]+ old [0-9]+ new [0-9]+ allocs [0-9]+ dlopens [0-9]+ forks [0-9]+ failures [0-9]+$'
read -r _ _ calls _ errors _ olds _ news _ allocs _ dlopens _ forks _ failures <<<"$EXPECT_LINE"
log "target: calls $calls (old $olds, new $news, neither $errors), allocations $allocs, dlopens $dlopens, forks $forks"
ask l why '^why '
[ "$failures" = 0 ] || fail "$failures allocations, dlopens, forks or children went wrong; first: ${EXPECT_LINE#why }"
[ "$errors" = 0 ] || fail "$errors calls returned neither $old nor $new"
((olds > 0 && news > 0)) || fail "the threads never saw both versions"
((allocs > 0 && dlopens > 0 && forks > 0)) || fail "the threads did not take every kind of lock"
check_not_applied "$pid" "$P"
children_stopped "$pid"
target_stop l
log "PASS"
