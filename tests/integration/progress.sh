#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# progress.sh - a trigger over more than a handful of processes draws a
# progress line on standard error when it is a terminal (here a pseudo
# terminal from script(1)), and erases it before the report; without a
# terminal, or with -q, nothing of it is printed.
. "$(dirname "$0")/lib.sh"
setup
command -v script >/dev/null || skip "script(1) is not installed"

P=$(container plain)
prog=prog-$$
ln -s "$(realpath "$TARGETS/target-prog")" "$T/$prog"
for x in $(seq 10); do
	target_start "t$x" "$T/$prog"
done

# on_terminal ARGS... - run ulp ARGS on a pseudo terminal; what the terminal
# got (stdout and stderr, with \r\n line ends) is left in TTY_OUT.
on_terminal() {
	run_cmd bash -c 'script -qec "$1" "$2" >/dev/null' script "$ULP $*" "$T/typescript"
	TTY_OUT=$(cat "$T/typescript")
}

step "on a terminal: the line is drawn, then erased before the report"
on_terminal trigger -p "$prog" "$P"
[ $RC = 0 ] || fail "expected exit 0, got $RC"
[[ $TTY_OUT == *$'\r\033[Kulp: patching: 10/10 processes, 10 patched, 0 skipped, 0 failed\r\033[Kpid '* ]] ||
	fail "no final progress line followed by its erasure before the report"
[[ $TTY_OUT == *'Processes patched: 10, Skipped: 0, Failed: 0.'* ]] || fail "no summary line"
for x in $(seq 10); do
	ask "t$x" "plain 5" '^plain 1005$'
done

step "not a terminal: no progress line"
run_ulp trigger -p "$prog" --revert "$P"
summary_is 10 0 0
[[ $ERR != *reverting:* ]] || fail "a progress line was printed without a terminal"

step "-q on a terminal: no progress line"
on_terminal trigger -q -p "$prog" "$P"
[ $RC = 0 ] || fail "expected exit 0, got $RC"
[[ $TTY_OUT != *patching:* ]] || fail "a progress line was printed with -q"
[[ $TTY_OUT == *'Processes patched: 10, Skipped: 0, Failed: 0.'* ]] || fail "no summary line"
for x in $(seq 10); do
	target_stop "t$x"
done
log "PASS"
