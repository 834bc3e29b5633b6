#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# patches.sh - `ulp patches`: per process the runtime's status, the
# livepatchable objects (by a look at the whole file, so libc, built
# without patchable entries, is not one) with their build-ids, and the
# applied patches with load time and the bug labels of their comments.
# The --json document is parsed (tests/targets/json-query.c) and checked
# field by field; the text output is checked for the same facts.
. "$(dirname "$0")/lib.sh"
setup

A=$(container stack200)
target_start t "$TARGETS/target-prog"
target_start u "$TARGETS/target-prog"
pid=$(tpid t)
pid2=$(tpid u)

# lib_index NAME - the index in processes.0.livepatchable of the object
# whose path ends in /NAME, or -1.
lib_index() {
	local i n
	n=$("$JSON_QUERY" processes.0.livepatchable.# <<<"$OUT")
	for ((i = 0; i < n; i++)); do
		[[ $("$JSON_QUERY" "processes.0.livepatchable.$i.path" <<<"$OUT") == */"$1" ]] && { echo $i; return; }
	done
	echo -1
}

trigger_ok "$pid" "$A"
ask t "plain 5" '^plain 200$'

step "--json: status, livepatchable objects, the applied patch"
run_ulp patches --json -p "$pid"
[ $RC = 0 ] || fail "exit $RC"
json_field command patches
json_field processes.# 1
json_field processes.0.pid "$pid"
json_field processes.0.name target-prog
json_field processes.0.status enabled
json_field processes.0.disabled_by null
json_field processes.0.error null
i=$(lib_index libplain.so)
[ "$i" -ge 0 ] || fail "libplain.so is not listed as livepatchable"
run_ulp dump -b "$A"
id=$OUT
run_ulp patches --json -p "$pid"
json_field "processes.0.livepatchable.$i.build_id" "$id"
[ "$(lib_index libc.so.6)" = -1 ] || fail "libc is listed as livepatchable"
json_field processes.0.patches.# 1
json_field processes.0.patches.0.path "$A"
json_field processes.0.patches.0.target libplain.so
json_field processes.0.patches.0.state applied
json_field processes.0.patches.0.load_time '[0-9]{10}'
json_field processes.0.patches.0.comments.# 2
json_field processes.0.patches.0.labels.# 3
json_field processes.0.patches.0.labels.0 'bsc#1234567'
json_field processes.0.patches.0.labels.1 'CVE-2021-3449'
json_field processes.0.patches.0.labels.2 'jsc#SLE-42'
json_field exit_status 0

step "text, with build-ids"
run_ulp patches -b -p "$pid"
[ $RC = 0 ] || fail "exit $RC"
for want in "PID: $pid, name: target-prog" "Live patching: enabled" "libplain.so (build-id: $id)" \
	"$A (for libplain.so)" "fixes bsc#1234567, CVE-2021-3449, jsc#SLE-42"; do
	[[ $OUT == *"$want"* ]] || fail "the text output lacks '$want'"
done

step "--only-livepatched leaves out the process without patches"
run_ulp patches --json --only-livepatched -p "$pid2"
json_field processes.# 0
run_ulp patches --json -p "$pid2"
json_field processes.# 1
json_field processes.0.patches.# 0

step "disabled by set_patchable"
run_ulp set_patchable disable -p "$pid2"
run_ulp patches --json -p "$pid2"
json_field processes.0.status disabled
json_field processes.0.disabled_by set_patchable

step "after the revert: no applied patch"
revert_ok "$pid" "$A"
run_ulp patches --json -p "$pid"
json_field processes.0.patches.# 0

step "a process that does not exist: exit 1"
run_ulp patches --json -p 999999999
[ $RC = 1 ] || fail "exit $RC, expected 1"
json_field processes.# 0
json_field exit_status 1
target_stop t
target_stop u
log "PASS"
