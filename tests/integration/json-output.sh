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
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

step "apply: one process patched"
run_ulp trigger --json -p "$pid" "$P"
[ $RC = 0 ] || fail "exit $RC"
json_field command trigger
json_field patch "$P"
json_field revert false
json_field processes.# 1
json_field processes.0.pid "$pid"
json_field processes.0.name target-prog
json_field processes.0.status patched
json_field processes.0.reason null
json_field processes.0.phases_us.pause '[0-9]+'
json_field processes.0.stops 1
json_field summary.patched 1
json_field summary.skipped 0
json_field summary.failed 0
json_field interrupted null
json_field exit_status 0
ask t "plain 5" '^plain 1005$'

step "check --json: applied (exit 1, libpulp's convention)"
run_ulp check --json -p "$pid" "$P"
[ $RC = 1 ] || fail "exit $RC, expected 1"
json_field command check
json_field pid "$pid"
json_field status applied
json_field reason null
json_field exit_status 1

step "apply again: skipped, with the reason; exit 4, nothing to do"
run_ulp trigger --json -p "$pid" "$P"
[ $RC = 4 ] || fail "exit $RC, expected 4"
json_field processes.0.status skipped
json_field processes.0.reason '.*already applied.*'
json_field summary.skipped 1
json_field exit_status 4

step "revert"
run_ulp trigger --json --revert -p "$pid" "$P"
[ $RC = 0 ] || fail "exit $RC"
json_field revert true
json_field processes.0.status patched
ask t "plain 5" '^plain 6$'
run_ulp check --json -p "$pid" "$P"
[ $RC = 0 ] || fail "exit $RC, expected 0"
json_field status 'not applied'
json_field exit_status 0

step "check --json of a process that does not exist: error, exit 2"
run_ulp check --json -p 999999999 "$P"
[ $RC = 2 ] || fail "exit $RC, expected 2"
json_field status error
json_field reason '.+'
json_field exit_status 2

step "dump --json: the container's metadata"
run_ulp dump --json "$P"
[ $RC = 0 ] || fail "exit $RC"
json_field patch_id '[0-9a-f]{64}'
json_field target libplain.so
json_field build_id '[0-9a-f]+'
json_field functions.# 1
json_field functions.0.old plain_value
json_field functions.0.new plain_value_v2
json_field functions.0.old_size '[1-9][0-9]*'
json_field comments.0 'Test patch for libplain.so.*'

step "a patch file that cannot be read: failed, no process"
run_ulp trigger --json -p "$pid" "$T/missing.so"
[ $RC = 1 ] || fail "exit $RC, expected 1"
json_field processes.# 0
json_field summary.failed 1
json_field exit_status 1
target_stop t
log "PASS"
