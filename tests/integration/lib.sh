# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers for the integration tests.  Source it first:
#
#   . "$(dirname "$0")/lib.sh"
#
# A test starts real targets (tests/targets) with the runtime preloaded,
# talks to them through fifos, runs the real ulp on them and uses their
# answers as the oracle.  Every wait is bounded; at exit the test kills the
# processes it started - by PID, nothing else - and removes its temp dir.
#
# Paths come from the environment meson sets (tests/integration/meson.build);
# to run a script by hand, ULP_BUILD_DIR=<build dir> is enough:
#
#   ULP_BUILD_DIR=build bash tests/integration/apply-revert.sh
#
# ULP=/path/to/another/ulp (e.g. a sanitizer build) replaces the ulp under
# test; LIBPULP=/path/to/libpulp.so the runtime.

set -u

ULP_BUILD_DIR=${ULP_BUILD_DIR:-}
ULP=${ULP:-${BUILD_ULP:-$ULP_BUILD_DIR/ulp/ulp}}
LIBPULP=${LIBPULP:-${BUILD_LIBPULP:-$ULP_BUILD_DIR/libpulp/libpulp.so}}
TARGETS=${TARGETS_DIR:-$ULP_BUILD_DIR/tests/targets}
TARGETS_SRC=${TARGETS_SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../targets" && pwd)}

# Time limits, in seconds.  Generous: a limit that is hit is a failure.
EXPECT_TIMEOUT=${EXPECT_TIMEOUT:-10}
ULP_TIMEOUT=${ULP_TIMEOUT:-60}

TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/ulp-it-$TEST_NAME.XXXXXX") || exit 1
chmod 755 "$T"

PIDS=()                # every process this test started, killed at exit
declare -A T_PID T_IN T_OUT

# --- output ---------------------------------------------------------------

log() { printf '# %s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }

# fail MESSAGE - report, show what the targets and ulp said, and exit 1.
# With QUIET set (long loops), the last command's output is shown here.
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	if [ -n "${QUIET:-}" ] && [ -n "${LAST_CMD:-}" ]; then
		printf -- '--- last command: %s -> exit %s\n' "$LAST_CMD" "$RC" >&2
		printf '%s\n' "$OUT" "$ERR" | sed 's/^/  | /' >&2
	fi
	exit 1
}

skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

# Show the transcripts of every target: what it printed and its stderr.
dump_logs() {
	local name
	for name in "${!T_PID[@]}"; do
		printf -- '--- target %s (pid %s): lines read by the test\n' "$name" "${T_PID[$name]}" >&2
		sed 's/^/  | /' "$T/$name.transcript" >&2 2>/dev/null
		if [ -s "$T/$name.err" ]; then
			printf -- '--- target %s: stderr\n' "$name" >&2
			sed 's/^/  | /' "$T/$name.err" >&2
		fi
	done
}

# --- processes ------------------------------------------------------------

now_us() {
	local t=${EPOCHREALTIME/./}
	echo $((10#$t))
}

now_ms() {
	echo $(($(now_us) / 1000))
}

# proc_state PID - the state letter from /proc/PID/stat, empty if gone.
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}

# Is PID still running (not gone, not a zombie)?
pid_alive() {
	local s
	s=$(proc_state "$1")
	[ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

# kill_pid PID - TERM, wait up to 2 s, then KILL; reap it.  Only ever
# called with PIDs this test started.
kill_pid() {
	local pid=$1 i
	pid_alive "$pid" && kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 40; i++)); do
		pid_alive "$pid" || break
		sleep 0.05
	done
	if pid_alive "$pid"; then
		log "pid $pid ignored SIGTERM; killing it"
		kill -KILL "$pid" 2>/dev/null
		for ((i = 0; i < 40; i++)); do
			pid_alive "$pid" || break
			sleep 0.05
		done
	fi
	# reaps the zombie at once; never blocks on a live process here
	pid_alive "$pid" || wait "$pid" 2>/dev/null
	return 0
}

# forget_pid PID - a process this test started has been reaped: its PID may
# be reused by another process, which the clean-up must not kill.
forget_pid() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM HUP
	# a reader of our output may be gone: finish the clean-up regardless
	trap '' PIPE
	# Newest first: a process started to trace an older one (ptrace-probe
	# --hold) goes before it, or the older one, killed while traced, would
	# stay a zombie that only its tracer can release, and the wait for it
	# would hang.
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill_pid "${PIDS[i]}"
	done
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		dump_logs
	fi
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- targets --------------------------------------------------------------

# target_start NAME [--no-preload] [--] PROGRAM [ARGS...]
# Start PROGRAM with the runtime preloaded, stdin and stdout on fifos, and
# wait for its "ready" line (left in EXPECT_LINE).  The test holds both
# fifos open read-write, so no open blocks and a dead target shows up as a
# timeout, not a hang.
target_start() {
	local name=$1 preload=1 fd_in fd_out pid
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--no-preload) preload=0 ;;
		--) shift; break ;;
		*) break ;;
		esac
		shift
	done
	mkfifo "$T/$name.in" "$T/$name.out" || fail "cannot create fifos for $name"
	: >"$T/$name.transcript"
	exec {fd_in}<>"$T/$name.in" {fd_out}<>"$T/$name.out"
	if [ $preload = 1 ]; then
		LD_PRELOAD=$LIBPULP "$@" <"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err" \
			{fd_in}>&- {fd_out}>&- &
	else
		env -u LD_PRELOAD "$@" <"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err" \
			{fd_in}>&- {fd_out}>&- &
	fi
	pid=$!
	PIDS+=("$pid")
	T_PID[$name]=$pid
	T_IN[$name]=$fd_in
	T_OUT[$name]=$fd_out
	log "started $name: pid $pid: $*"
	expect "$name" '^ready'
}

tpid() { echo "${T_PID[$1]}"; }

# send NAME LINE - write one command line to the target.
send() {
	printf '%s\n' "$2" >&"${T_IN[$1]}" || fail "cannot write to $1"
}

# read_line NAME DEADLINE_MS - read the target's next line into LINE.
read_line() {
	local name=$1 deadline=$2 left secs
	left=$((deadline - $(now_ms)))
	((left > 0)) || return 1
	secs=$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))
	IFS= read -r -t "$secs" -u "${T_OUT[$name]}" LINE || return 1
	printf '%s\n' "$LINE" >>"$T/$name.transcript"
}

# expect NAME REGEX [TIMEOUT] - read the target's lines until one matches
# REGEX (bash =~); it is left in EXPECT_LINE, the lines skipped over in
# SKIPPED.  Fails the test on timeout.
expect() {
	local name=$1 re=$2 deadline
	deadline=$(($(now_ms) + ${3:-$EXPECT_TIMEOUT} * 1000))
	SKIPPED=""
	while read_line "$name" "$deadline"; do
		if [[ $LINE =~ $re ]]; then
			EXPECT_LINE=$LINE
			return 0
		fi
		SKIPPED+="$LINE"$'\n'
	done
	pid_alive "${T_PID[$name]}" || fail "$name (pid ${T_PID[$name]}) died waiting for /$re/"
	fail "$name: no line matching /$re/ within ${3:-$EXPECT_TIMEOUT} s"
}

# expect_next NAME REGEX [TIMEOUT] - the very next line must match.
expect_next() {
	local name=$1 re=$2 deadline
	deadline=$(($(now_ms) + ${3:-$EXPECT_TIMEOUT} * 1000))
	SKIPPED=""
	if ! read_line "$name" "$deadline"; then
		pid_alive "${T_PID[$name]}" || fail "$name (pid ${T_PID[$name]}) died waiting for /$re/"
		fail "$name: no answer within ${3:-$EXPECT_TIMEOUT} s (expected /$re/)"
	fi
	[[ $LINE =~ $re ]] || fail "$name: expected /$re/, got '$LINE'"
	EXPECT_LINE=$LINE
}

# ask NAME COMMAND REGEX - send a command; its answer must be the next line.
ask() {
	send "$1" "$2"
	expect_next "$1" "$3"
	[ -n "${QUIET:-}" ] || log "$1: '$2' -> '$EXPECT_LINE'"
}

# target_stop NAME - ask it to quit, wait (bounded) for it to exit.
target_stop() {
	local name=$1 pid=${T_PID[$1]} i
	send "$name" quit
	expect "$name" '^bye$'
	for ((i = 0; i < 100; i++)); do
		pid_alive "$pid" || break
		sleep 0.05
	done
	pid_alive "$pid" && fail "$name (pid $pid) did not exit after 'quit'"
	wait "$pid"
	local rc=$?
	[ $rc = 0 ] || fail "$name (pid $pid) exited with status $rc"
}

assert_alive() {
	pid_alive "${T_PID[$1]}" || fail "$1 (pid ${T_PID[$1]}) is not running"
}

# wait_syscall PID TID REGEX WHAT - wait (bounded) until thread TID of PID
# is blocked in a system call whose /proc/PID/task/TID/syscall line
# starts with REGEX (the number, then the arguments in hex); WHAT says it
# in the failure.
wait_syscall() {
	local pid=$1 tid=$2 re=$3 what=$4 i line=
	for ((i = 0; i < EXPECT_TIMEOUT * 100; i++)); do
		read -r line <"/proc/$pid/task/$tid/syscall" 2>/dev/null
		[[ $line =~ ^($re)( |$) ]] && return 0
		sleep 0.01
	done
	fail "thread $tid of $pid is not $what: its syscall file says '$line'"
}

# wait_in_read PID TID FD - until thread TID of PID is blocked in read(FD).
wait_in_read() {
	wait_syscall "$1" "$2" "0 $(printf '0x%x' "$3")" "blocked in read($3, ...)"
}

# wait_in_sleep PID [TID] - until thread TID (default: the main thread)
# of PID sleeps in nanosleep (35) or clock_nanosleep (230).
wait_in_sleep() {
	wait_syscall "$1" "${2:-$1}" "35|230" "in a sleep"
}

# json_field PATH REGEX - the last command's stdout must be exactly one
# JSON document (parsed by tests/targets/json-query) whose value at PATH
# ("processes.0.status", "processes.#" for a length) matches REGEX whole.
JSON_QUERY=$TARGETS/json-query
json_field() {
	local v rc
	v=$("$JSON_QUERY" "$1" <<<"$OUT")
	rc=$?
	[ $rc = 2 ] && fail "stdout is not one JSON document"
	[ $rc = 0 ] || fail "the document has no '$1'"
	[[ $v =~ ^$2$ ]] || fail "'$1' is '$v', expected /$2/"
}

# --- ulp ------------------------------------------------------------------

# run_ulp ARGS... - run ulp with a time limit; sets RC, OUT (stdout), ERR
# (stderr), ULP_US and ULP_MS (wall time), and from a trigger's summary line PATCHED,
# SKIPPED_N and FAILED (empty if there is none).  Fails the test only if
# ulp hangs, crashes or a sanitizer complains, whatever is expected of it.
run_ulp() {
	run_cmd "$ULP" "$@"
}

# run_cmd PROGRAM ARGS... - the same for any command (e.g. a ulp run
# through setpriv).
run_cmd() {
	local t0
	t0=$(now_us)
	timeout -k 5 "$ULP_TIMEOUT" "$@" </dev/null >"$T/cmd.out" 2>"$T/cmd.err"
	RC=$?
	cmd_finish "$t0" "$(now_us)" "$T/cmd.out" "$T/cmd.err" "$@"
}

# cmd_finish T0_US T1_US OUT_FILE ERR_FILE PROGRAM ARGS... - what run_cmd
# does once the command has exited with status RC.
cmd_finish() {
	local t0=$1 t1=$2 out=$3 err=$4
	shift 4
	ULP_US=$((t1 - t0))
	ULP_MS=$((ULP_US / 1000))
	LAST_CMD="$*"
	OUT=$(cat "$out")
	ERR=$(cat "$err")
	if [ -z "${QUIET:-}" ]; then
		log "\$ ${*/#$ULP/ulp}  -> exit $RC (${ULP_MS} ms)"
		[ -z "$OUT" ] || printf '%s\n' "$OUT" | sed 's/^/#   out| /'
		[ -z "$ERR" ] || printf '%s\n' "$ERR" | sed 's/^/#   err| /'
	fi
	[ $RC != 124 ] && [ $RC != 137 ] || fail "'$1' did not finish within $ULP_TIMEOUT s"
	[ $RC -lt 128 ] || fail "'$1' was killed by signal $((RC - 128))"
	[[ $ERR != *Sanitizer* ]] || fail "a sanitizer reported an error in '$1'"
	PATCHED="" SKIPPED_N="" FAILED=""
	if [[ $OUT =~ Processes\ patched:\ ([0-9]+),\ Skipped:\ ([0-9]+),\ Failed:\ ([0-9]+)\. ]]; then
		PATCHED=${BASH_REMATCH[1]} SKIPPED_N=${BASH_REMATCH[2]} FAILED=${BASH_REMATCH[3]}
		# the summary must be the last line
		[[ $OUT =~ Processes\ patched:\ [0-9]+,\ Skipped:\ [0-9]+,\ Failed:\ [0-9]+\.$ ]] ||
			fail "trigger output does not end with its summary line"
	fi
	return 0
}

# ulp_bg_start ARGS... - start ulp in the background, with the same time
# limit as run_ulp; its stderr grows in $T/bg.err.  One at a time.
ulp_bg_start() {
	BG_ARGS=("$ULP" "$@")
	BG_T0=$(now_us)
	timeout -k 5 "$ULP_TIMEOUT" "$ULP" "$@" </dev/null >"$T/bg.out" 2>"$T/bg.err" &
	BG_PID=$!
	PIDS+=("$BG_PID")
	log "started in the background (pid $BG_PID): ulp $*"
}

# ulp_bg_running - is the background ulp still running?
ulp_bg_running() {
	pid_alive "$BG_PID"
}

# ulp_bg_expect_err REGEX [TIMEOUT] - wait (bounded) until the background
# ulp's stderr has a line matching REGEX (grep -E); fail if it exits first.
ulp_bg_expect_err() {
	local re=$1 deadline
	deadline=$(($(now_ms) + ${2:-$EXPECT_TIMEOUT} * 1000))
	while (($(now_ms) < deadline)); do
		grep -qE -- "$re" "$T/bg.err" && return 0
		ulp_bg_running || break
		sleep 0.01
	done
	grep -qE -- "$re" "$T/bg.err" && return 0
	sed 's/^/#   bg err| /' "$T/bg.err"
	ulp_bg_running || fail "the background ulp exited without printing /$re/"
	fail "the background ulp did not print /$re/ within ${2:-$EXPECT_TIMEOUT} s"
}

# ulp_bg_wait - wait for the background ulp (bounded: it runs under
# timeout); then RC, OUT, ERR, ULP_MS, PATCHED... are set as by run_ulp.
ulp_bg_wait() {
	local t1
	while ulp_bg_running; do
		sleep 0.01
	done
	t1=$(now_us)
	wait "$BG_PID"
	RC=$?
	forget_pid "$BG_PID"
	cmd_finish "$BG_T0" "$t1" "$T/bg.out" "$T/bg.err" "${BG_ARGS[@]}"
}

# summary_is P S F - the last trigger's summary line says so.
summary_is() {
	[ "$PATCHED/$SKIPPED_N/$FAILED" = "$1/$2/$3" ] ||
		fail "expected 'Processes patched: $1, Skipped: $2, Failed: $3.', got '${PATCHED:-?}/${SKIPPED_N:-?}/${FAILED:-?}' (exit $RC)"
}

# trigger_ok PID FILE [OPTIONS...] - apply (or with --revert, revert): the
# trigger must report one process patched and exit 0.
trigger_ok() {
	local pid=$1 file=$2
	shift 2
	run_ulp trigger -p "$pid" "$@" "$file"
	summary_is 1 0 0
	[ $RC = 0 ] || fail "trigger exited $RC though it patched the process"
}

revert_ok() {
	trigger_ok "$1" "$2" --revert
}

# trigger_skipped PID FILE REGEX [OPTIONS...] - one process skipped, exit 4
# (nothing to do), the reason (stdout or stderr) matching REGEX.
trigger_skipped() {
	local pid=$1 file=$2 re=$3
	shift 3
	run_ulp trigger -p "$pid" "$@" "$file"
	summary_is 0 1 0
	[ $RC = 4 ] || fail "trigger exited $RC; skipped is not failed, expected 4 (nothing to do)"
	[[ "$OUT"$'\n'"$ERR" =~ $re ]] || fail "the skip does not say why (expected /$re/)"
}

# trigger_fails PID FILE REGEX [OPTIONS...] - the trigger fails with exit 1
# and an error line "ulp: error: ..." matching REGEX (case-insensitive).
trigger_fails() {
	local pid=$1 file=$2 re=$3
	shift 3
	run_ulp trigger -p "$pid" "$@" "$file"
	expect_error "$re"
	[ -z "$PATCHED" ] || [ "$PATCHED" = 0 ] || fail "a failed trigger reports $PATCHED process(es) patched"
}

# expect_error REGEX - the last command exited 1 with "ulp: error: ...REGEX".
expect_error() {
	local re=$1
	[ $RC = 1 ] || fail "expected exit status 1, got $RC"
	grep -q '^ulp: error: ' <<<"$ERR" || fail "no 'ulp: error: ...' line on stderr"
	shopt -s nocasematch
	[[ $ERR =~ $re ]] || {
		shopt -u nocasematch
		fail "the error does not match /$re/"
	}
	shopt -u nocasematch
}

# check_applied PID FILE / check_not_applied PID FILE - ulp check's exit
# status: 1 applied, 0 not applied.
check_applied() {
	run_ulp check -p "$1" "$2"
	[ $RC = 1 ] || fail "ulp check: expected 1 (applied), got $RC"
}

check_not_applied() {
	run_ulp check -p "$1" "$2"
	[ $RC = 0 ] || fail "ulp check: expected 0 (not applied), got $RC"
}

# --- set-up ---------------------------------------------------------------

# require_tools - the build must have produced what the tests use.
require_tools() {
	[ -x "$ULP" ] || fail "ulp not found at '$ULP' (set ULP_BUILD_DIR or ULP)"
	[ -f "$LIBPULP" ] || fail "libpulp.so not found at '$LIBPULP' (set ULP_BUILD_DIR or LIBPULP)"
	[ -x "$TARGETS/target-prog" ] || fail "test targets not found in '$TARGETS'"
	log "ulp: $ULP"
	log "libpulp.so: $LIBPULP"
	log "targets: $TARGETS"
}

# require_ptrace - skip (77) when this machine forbids what ulp does: ptrace
# a process that is not the tracer's child (the probe and the sleep are
# siblings, like ulp and a target).  The only reason to skip.
require_ptrace() {
	local pid rc
	sleep 30 &
	pid=$!
	PIDS+=("$pid")
	"$TARGETS/ptrace-probe" "$pid"
	rc=$?
	kill_pid "$pid"
	case $rc in
	0) ;;
	77) skip "ptrace is forbidden on this machine" ;;
	*) fail "ptrace-probe failed ($rc)" ;;
	esac
}

# The usual start of a test.
setup() {
	# meson adds the directory of every library a test depends on to
	# LD_LIBRARY_PATH, in no stable order; it would override the targets'
	# own RUNPATH (and pick build B of libbid.so for build A's program).
	unset LD_LIBRARY_PATH
	require_tools
	require_ptrace
}

# patch_cycle NAME CONTAINER COMMAND OLD_REGEX NEW_REGEX - on a running
# target: old answer; apply -> new answer, check says applied; revert ->
# old answer, check says not applied.
patch_cycle() {
	local name=$1 file=$2 cmd=$3 old=$4 new=$5 pid=${T_PID[$1]}
	ask "$name" "$cmd" "$old"
	check_not_applied "$pid" "$file"
	trigger_ok "$pid" "$file"
	ask "$name" "$cmd" "$new"
	check_applied "$pid" "$file"
	revert_ok "$pid" "$file"
	ask "$name" "$cmd" "$old"
	check_not_applied "$pid" "$file"
}

container() { echo "$TARGETS/$1_livepatch.so"; }

# --- stack-prog (the stack check tests) -------------------------------------

# stack_job NAME JOB [ARG] - give target NAME (stack-prog) a job; sets
# JOB_TID (the worker's thread id) and JOB_FD, and for a job that blocks
# (JOB_FD not -1) waits until the worker is blocked in read(2) on JOB_FD.
stack_job() {
	local name=$1
	shift
	ask "$name" "job $*" "^job $1 tid [0-9]+ fd -?[0-9]+\$"
	read -r _ _ _ JOB_TID _ JOB_FD <<<"$EXPECT_LINE"
	[ "$JOB_FD" = -1 ] || wait_in_read "${T_PID[$name]}" "$JOB_TID" "$JOB_FD"
}

# send_after SECONDS NAME LINE - write LINE to target NAME SECONDS from now,
# from the background (the answer is left for the test to read); sets
# SENDER.  send_after_wait reaps it.
send_after() {
	(
		sleep "$1"
		send "$2" "$3"
	) &
	SENDER=$!
	PIDS+=("$SENDER")
}

send_after_wait() {
	local i
	for ((i = 0; i < EXPECT_TIMEOUT * 20; i++)); do
		pid_alive "$SENDER" || break
		sleep 0.05
	done
	pid_alive "$SENDER" && fail "the background sender (pid $SENDER) did not finish"
	wait "$SENDER" || fail "the background sender failed"
	forget_pid "$SENDER"
}

# stack_check_figures - from the last -v trigger's stderr: CHECK_THREADS,
# CHECK_MS and CHECK_US_PER_THREAD of its stack check, logged; fails if the
# line is missing.
stack_check_figures() {
	local re='stack check of ([0-9]+) threads? took ([0-9.]+) ms in the pause \(([0-9.]+) us per thread\)'
	[[ $ERR =~ $re ]] || fail "no 'stack check of N threads took ...' line from ulp -v"
	CHECK_THREADS=${BASH_REMATCH[1]} CHECK_MS=${BASH_REMATCH[2]} CHECK_US_PER_THREAD=${BASH_REMATCH[3]}
	log "stack check: $CHECK_THREADS threads, $CHECK_MS ms in the pause, $CHECK_US_PER_THREAD us per thread"
}

# inside_frame TID FUNC - from the last -v trigger's stderr: the frame at
# which thread TID was found inside FUNC (set in FRAME); fails if it never was.
inside_frame() {
	local re="thread $1 is inside $2 at frame ([0-9]+); retrying"
	[[ $ERR =~ $re ]] || fail "ulp -v never reported thread $1 inside $2"
	FRAME=${BASH_REMATCH[1]}
	log "thread $1 was found inside $2 at frame $FRAME"
}
