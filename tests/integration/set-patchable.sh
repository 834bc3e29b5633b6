#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# set-patchable.sh - `ulp set_patchable disable|enable` turns live
# patching off and on in a running process: disabled, a trigger is
# SKIPPED saying who disabled it (apply and revert alike) and the process
# keeps its code; enabled again, it is patched as usual.  -u selects by
# owner; a disable does not touch what is already applied.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

# set_ok ARGS... - set_patchable changed exactly one process, exit 0.
set_ok() {
	run_ulp set_patchable "$@"
	[ $RC = 0 ] || fail "set_patchable exited $RC"
	[[ $OUT == *"Processes changed: 1, Failed: 0."* ]] || fail "expected one process changed"
}

step "disable: a trigger is skipped, and says why"
set_ok disable -p "$pid"
[[ $OUT == *"pid $pid (target-prog): live patching disabled"* ]] || fail "no line for the process"
trigger_skipped "$pid" "$P" "disabled in process $pid \\(by ulp set_patchable"
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$P"

step "enable: patched as usual"
set_ok enable -p "$pid"
trigger_ok "$pid" "$P"
ask t "plain 5" '^plain 1005$'

step "disable with the patch applied: it stays; the revert is refused"
set_ok disable -p "$pid" -u "$(id -un)"
ask t "plain 5" '^plain 1005$'
check_applied "$pid" "$P"
trigger_skipped "$pid" "$P" "disabled" --revert
ask t "plain 5" '^plain 1005$'

step "-u of another user: this process is not touched"
other=$(id -u nobody 2>/dev/null || echo 65534)
[ "$other" != "$(id -u)" ] || skip "the tests run as nobody"
run_ulp set_patchable enable -p "$pid" -u "$other"
[ $RC = 4 ] || fail "set_patchable exited $RC; nothing to do is 4"
[[ $OUT == *"Processes changed: 0, Failed: 0."* ]] || fail "a process of another user was changed"
trigger_skipped "$pid" "$P" "disabled" --revert

step "enable by uid, then revert"
set_ok enable -p "$pid" -u "$(id -u)"
revert_ok "$pid" "$P"
ask t "plain 5" '^plain 6$'

step "usage errors"
run_ulp set_patchable maybe -p "$pid"
[ $RC = 2 ] || fail "an unknown word must be a usage error, got $RC"
run_ulp set_patchable enable -p "$pid" -u no-such-user-xyz
[ $RC = 2 ] || fail "an unknown user must be a usage error, got $RC"
target_stop t
log "PASS"
