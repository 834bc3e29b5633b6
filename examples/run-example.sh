#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-example.sh - fix a bug in a running daemon without restarting it.
#
# Usage: examples/run-example.sh [BUILD_DIR]
#   BUILD_DIR: the meson build directory (or set ULP_BUILD_DIR); this script
#   builds nothing.  ULP=... and LIBPULP=... override the ulp and libpulp.so
#   it uses.
#
# The story: calendard answers calendar questions over TCP with the help of
# libcalendar.so, whose leap year test forgets the century rule (it calls
# 1900 a leap year).  We start the daemon, see the wrong answer, pack the
# fix into a live patch, apply it to the running daemon, see the right
# answer - on a connection that stayed open all along - then revert it.
# Exit status: 0 if everything behaved as told, 1 otherwise, 77 if this
# machine forbids ptrace.

set -u

BUILD=${1:-${ULP_BUILD_DIR:-}}
[ -n "$BUILD" ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$BUILD" && pwd) || exit 2
SRC=$(cd "$(dirname "$0")" && pwd)
ULP=${ULP:-${BUILD_ULP:-$BUILD/ulp/ulp}}
LIBPULP=${LIBPULP:-${BUILD_LIBPULP:-$BUILD/libpulp/libpulp.so}}
EX=$BUILD/examples
TIMEOUT=10 # seconds, for every wait

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ulp-example.XXXXXX") || exit 1
DAEMON_PID=
cleanup() {
	local rc=$? i
	trap - EXIT INT TERM
	exec 4>&- 2>/dev/null
	if [ -n "$DAEMON_PID" ]; then
		alive "$DAEMON_PID" && kill -TERM "$DAEMON_PID" 2>/dev/null
		for ((i = 0; i < 40; i++)); do
			alive "$DAEMON_PID" || break
			sleep 0.05
		done
		kill -KILL "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	[ $rc = 0 ] || [ $rc = 77 ] || { echo "--- daemon output:"; cat "$WORK/daemon.log"; } 2>/dev/null
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# alive PID - running, not a zombie waiting to be reaped.
alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

say() { printf '\n==> %s\n' "$*"; }
show() { printf '    $ %s\n' "$*"; }
die() {
	printf '\nFAILED: %s\n' "$*" >&2
	exit 1
}

# ulp ARGS... - run ulp (bounded), show the command and its output.
ulp() {
	show "ulp $*"
	timeout -k 5 60 "$ULP" "$@" 2>&1 | sed 's/^/      /'
	return "${PIPESTATUS[0]}"
}

# ask REQUEST - one request on a new connection; the answer into ANSWER.
ask() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || die "cannot connect to port $PORT"
	printf '%s\nquit\n' "$1" >&$fd
	IFS= read -r -t "$TIMEOUT" ANSWER <&$fd || die "no answer to '$1'"
	exec {fd}>&-
	printf '    %-16s -> %s\n' "$1" "$ANSWER"
}

# ask_open REQUEST - the same on the connection kept open (fd 4).
ask_open() {
	printf '%s\n' "$1" >&4
	IFS= read -r -t "$TIMEOUT" ANSWER <&4 || die "no answer to '$1' on the open connection"
	printf '    %-16s -> %s   (same connection as before)\n' "$1" "$ANSWER"
}

# answer_is REGEX - the last answer must match.
answer_is() {
	[[ $ANSWER =~ $1 ]] || die "expected an answer matching /$1/"
}

for f in "$ULP" "$LIBPULP" "$EX/calendard" "$EX/libcalendar.so" "$EX/libcalendar_fix.so"; do
	[ -e "$f" ] || die "$f is missing: build first (meson setup build && ninja -C build)"
done
# The integration suite passes a probe: skip if this machine forbids ptrace.
if [ -n "${PTRACE_PROBE:-}" ]; then
	sleep 30 &
	probe_pid=$!
	"$PTRACE_PROBE" "$probe_pid"
	probe_rc=$?
	kill "$probe_pid"
	wait "$probe_pid" 2>/dev/null
	[ $probe_rc != 77 ] || { echo "SKIP: ptrace is forbidden on this machine"; exit 77; }
fi

say "1. Start the daemon with the live patching runtime preloaded"
show "LD_PRELOAD=$LIBPULP $EX/calendard &"
LD_PRELOAD=$LIBPULP "$EX/calendard" >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
PORT=
for ((i = 0; i < TIMEOUT * 20; i++)); do
	line=$(head -1 "$WORK/daemon.log")
	if [[ $line =~ listening\ on\ 127\.0\.0\.1:([0-9]+) ]]; then
		PORT=${BASH_REMATCH[1]}
		break
	fi
	alive "$DAEMON_PID" || die "the daemon exited"
	sleep 0.05
done
[ -n "$PORT" ] || die "the daemon did not start listening within $TIMEOUT s"
echo "    $line"
echo "    The runtime is in the process:"
grep -m1 -o '/[^ ]*libpulp[^ ]*' "/proc/$DAEMON_PID/maps" | sed 's/^/      /'

say "2. The bug: 1900 was not a leap year (divisible by 100 but not by 400)"
exec 4<>"/dev/tcp/127.0.0.1/$PORT" || die "cannot connect to port $PORT"
echo "    (a client connects now and keeps its connection open throughout)"
ask_open "leap 1900"
answer_is "1900 is a leap year"
ask "days 1900 2"
answer_is "2/1900 has 29 days"
ask "leap 2000"
answer_is "2000 is a leap year"
echo "    Wrong: 1900 is not a leap year, and February 1900 had 28 days."

say "3. The library was built with patchable function entries"
ulp livepatchable "$EX/libcalendar.so"
[ $? = 0 ] || die "libcalendar.so is not live-patchable"

say "4. Pack the fix into a live patch container"
echo "    The fix is an ordinary shared object (calendar-fix.c, built as"
echo "    libcalendar_fix.so); the description says what replaces what:"
grep -v '^!' "$SRC/calendar-fix.dsc" | sed 's/^/      | /'
ulp packer "$SRC/calendar-fix.dsc" -l "$EX/libcalendar_fix.so" -t "$EX/libcalendar.so" \
	-o "$WORK/calendar_fix_livepatch.so" || die "packing failed"
PATCH=$WORK/calendar_fix_livepatch.so
ulp dump "$PATCH" || die "ulp dump failed"

say "5. Apply it to the running daemon"
ulp trigger -p "$DAEMON_PID" "$PATCH"
[ $? = 0 ] || die "ulp trigger failed"
ulp check -p "$DAEMON_PID" "$PATCH"
[ $? = 1 ] || die "ulp check should say applied (exit 1)"
echo "    (ulp check exits 1: the patch is applied)"

say "6. The daemon now answers correctly - same process, same open connection"
ask_open "leap 1900"
answer_is "1900 is not a leap year"
ask "days 1900 2"
answer_is "2/1900 has 28 days"
ask "leap 2000"
answer_is "2000 is a leap year"
ask_open "stats"
answer_is "requests served: [0-9]+"
echo "    The request counter kept counting: no restart, no state lost."
alive "$DAEMON_PID" || die "the daemon is gone"
echo "    The runtime's log inside the daemon:"
ulp messages -p "$DAEMON_PID"

say "7. Revert the patch: the old code (and its bug) comes back"
ulp trigger -p "$DAEMON_PID" --revert "$PATCH"
[ $? = 0 ] || die "ulp trigger --revert failed"
ulp check -p "$DAEMON_PID" "$PATCH"
[ $? = 0 ] || die "ulp check should say not applied (exit 0)"
echo "    (ulp check exits 0: the patch is not applied)"
ask_open "leap 1900"
answer_is "1900 is a leap year"
ask "days 1900 2"
answer_is "2/1900 has 29 days"

say "8. Stop the daemon"
exec 4>&-
show "kill -TERM $DAEMON_PID"
kill -TERM "$DAEMON_PID"
for ((i = 0; i < TIMEOUT * 20; i++)); do
	alive "$DAEMON_PID" || break
	sleep 0.05
done
alive "$DAEMON_PID" && die "the daemon did not stop"
wait "$DAEMON_PID"
rc=$?
DAEMON_PID=
tail -1 "$WORK/daemon.log" | sed 's/^/    /'
[ $rc = 0 ] || die "the daemon exited with status $rc"
echo
echo "Done: the bug was fixed and un-fixed in a running process."
