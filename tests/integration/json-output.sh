#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# json-output.sh - `ulp trigger --json`, `ulp check --json` and `ulp dump
# --json`: stdout is
# exactly one JSON document (checked by a JSON parser,
# tests/targets/json-query.c), field by field: a process patched, skipped,
# reverted, a patch file that cannot be read; applied, not applied, and a
# process that does not exist.  The exit status is in the document too.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
Q="$TARGETS/json-query"
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

# field PATH EXPECTED - the value at PATH of the last command's stdout.
field() {
	local v rc
	v=$("$Q" "$1" <<<"$OUT")
	rc=$?
	[ $rc = 2 ] && fail "stdout is not one JSON document"
	[ $rc = 0 ] || fail "the document has no '$1'"
	[[ $v =~ ^$2$ ]] || fail "'$1' is '$v', expected /$2/"
}

step "apply: one process patched"
run_ulp trigger --json -p "$pid" "$P"
[ $RC = 0 ] || fail "exit $RC"
field command trigger
field patch "$P"
field revert false
field processes.# 1
field processes.0.pid "$pid"
field processes.0.name target-prog
field processes.0.status patched
field processes.0.reason null
field processes.0.phases_us.pause '[0-9]+'
field processes.0.stops 1
field summary.patched 1
field summary.skipped 0
field summary.failed 0
field interrupted null
field exit_status 0
ask t "plain 5" '^plain 1005$'

step "check --json: applied (exit 1, libpulp's convention)"
run_ulp check --json -p "$pid" "$P"
[ $RC = 1 ] || fail "exit $RC, expected 1"
field command check
field pid "$pid"
field status applied
field reason null
field exit_status 1

step "apply again: skipped, with the reason"
run_ulp trigger --json -p "$pid" "$P"
[ $RC = 0 ] || fail "exit $RC"
field processes.0.status skipped
field processes.0.reason '.*already applied.*'
field summary.skipped 1
field exit_status 0

step "revert"
run_ulp trigger --json --revert -p "$pid" "$P"
[ $RC = 0 ] || fail "exit $RC"
field revert true
field processes.0.status patched
ask t "plain 5" '^plain 6$'
run_ulp check --json -p "$pid" "$P"
[ $RC = 0 ] || fail "exit $RC, expected 0"
field status 'not applied'
field exit_status 0

step "check --json of a process that does not exist: error, exit 2"
run_ulp check --json -p 999999999 "$P"
[ $RC = 2 ] || fail "exit $RC, expected 2"
field status error
field reason '.+'
field exit_status 2

step "dump --json: the container's metadata"
run_ulp dump --json "$P"
[ $RC = 0 ] || fail "exit $RC"
field patch_id '[0-9a-f]{64}'
field target libplain.so
field build_id '[0-9a-f]+'
field functions.# 1
field functions.0.old plain_value
field functions.0.new plain_value_v2
field functions.0.old_size '[1-9][0-9]*'
field comments.0 'Test patch for libplain.so.*'

step "a patch file that cannot be read: failed, no process"
run_ulp trigger --json -p "$pid" "$T/missing.so"
[ $RC = 1 ] || fail "exit $RC, expected 1"
field processes.# 0
field summary.failed 1
field exit_status 1
target_stop t
log "PASS"
