#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-not-permitted.sh - an unprivileged user (nobody, uid 65534) runs ulp
# against a target owned by root: the trigger fails with a permission error,
# and the target is unchanged.  Switching users needs root: run as another
# user, this test has no process of a different owner to try and skips.
. "$(dirname "$0")/lib.sh"
setup

[ "$(id -u)" = 0 ] || skip "needs root to run ulp as another user against a root process"
command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed"

P=$(container plain)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

# The unprivileged ulp must be able to read the programs and the container:
# copy them into the (world-readable) temp dir unless it already can.
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
ulp_bin=$ULP
if ! "${as_nobody[@]}" test -x "$ULP" -a -r "$ULP"; then
	cp "$ULP" "$T/ulp" && chmod 755 "$T/ulp" && ulp_bin=$T/ulp
fi
cp "$P" "$T/plain_livepatch.so" && chmod 644 "$T/plain_livepatch.so"
"${as_nobody[@]}" test -r "$T/plain_livepatch.so" || fail "nobody cannot read $T"

step "trigger as nobody"
run_cmd "${as_nobody[@]}" "$ulp_bin" trigger -p "$pid" "$T/plain_livepatch.so"
expect_error "not permitted|permission denied|access denied"
[ -z "$PATCHED" ] || [ "$PATCHED" = 0 ] || fail "an unprivileged trigger reports a patched process"

step "the target is unchanged"
assert_alive t
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$P"

step "root can still patch it"
trigger_ok "$pid" "$P"
ask t "plain 5" '^plain 1005$'
revert_ok "$pid" "$P"
target_stop t
log "PASS"
