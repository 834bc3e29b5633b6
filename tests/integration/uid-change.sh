#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uid-change.sh - a process started as root that dropped to nobody (uid
# and gid 65534, no supplementary groups), as daemons do.  Its runtime
# opens the patch file as nobody: root's trigger patches it when nobody
# can read the file, and otherwise fails before touching the process,
# naming the file and the uid; the same for two such processes in one
# run.  ulp run as nobody itself is refused by the kernel (the process is
# not dumpable) and says to run it as root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/restricted.sh"
setup
require_root "start a process as root that becomes nobody"
command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed"

target_start t "$TARGETS/target-prog"
pid=$(tpid t)
ask t "become 65534" '^became 65534$'
grep -q $'^Uid:\t65534\t65534\t65534\t65534$' "/proc/$pid/status" || fail "the target did not become uid 65534"
[ "$(stat -c %u "/proc/$pid/status")" = 0 ] || fail "the target is still dumpable: its /proc files are not root's"

P=$(container plain)
install -m 600 "$P" "$T/private.so"
mkdir -m 700 "$T/closed"
install -m 644 "$P" "$T/closed/plain.so"
mkdir -m 755 "$T/open"
install -m 640 -g 65534 "$P" "$T/open/plain.so"

step "a file only root can read: refused before the process is touched"
refused_untouched t "$T/private.so" "process $pid runs as uid 65534 \(gid 65534\), which cannot open '$T/private.so': permission denied; make the file readable"

step "a readable file in a directory nobody cannot search: refused"
refused_untouched t "$T/closed/plain.so" "process $pid runs as uid 65534 .*cannot open '$T/closed/plain.so': permission denied"

step "readable by the process's group: patched"
trigger_ok "$pid" "$T/open/plain.so"
ask t "plain 5" '^plain 1005$'
check_applied "$pid" "$T/open/plain.so"
revert_ok "$pid" "$T/open/plain.so"
ask t "plain 5" '^plain 6$'

step "two such processes in one run (-j 1: one worker asks for both)"
# A name of their own: a wildcard must not reach other tests' processes.
prog=uid-$$
ln -s "$TARGETS/target-prog" "$T/$prog"
for x in 1 2; do
	target_start "u$x" "$T/$prog"
	ask "u$x" "become 65534" '^became 65534$'
done
run_ulp trigger -p "$prog" -j 1 "$T/private.so"
summary_is 0 0 2
n=$(grep -c "runs as uid 65534 (gid 65534), which cannot open '$T/private.so'" <<<"$ERR")
[ "$n" = 2 ] || fail "expected the uid error for both processes, got $n"
run_ulp trigger -p "$prog" -j 1 "$T/open/plain.so"
summary_is 2 0 0
for x in 1 2; do
	ask "u$x" "plain 5" '^plain 1005$'
	target_stop "u$x"
done

step "ulp as nobody: the kernel refuses, the message says why and what to do"
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
ulp_bin=$ULP
if ! "${as_nobody[@]}" test -x "$ULP" -a -r "$ULP"; then
	cp "$ULP" "$T/ulp" && chmod 755 "$T/ulp" && ulp_bin=$T/ulp
fi
C=$(container cet)
install -m 644 "$C" "$T/open/cet.so"
ring "$pid"
before=$RING
run_cmd "${as_nobody[@]}" "$ulp_bin" trigger -p "$pid" "$T/open/cet.so"
expect_error "cannot access process $pid: operation not permitted: it runs as uid 65534 like ulp, but it changed its user or group after it started, which makes it not dumpable, and only root may trace such a process; run ulp as root"
ring "$pid"
[ "$RING" = "$before" ] || fail "the runtime of $pid was called: its messages changed"
ask t "cet 5" '^cet 10$'
check_not_applied "$pid" "$T/open/cet.so"

step "root patches it"
trigger_ok "$pid" "$T/open/cet.so"
ask t "cet 5" '^cet 15$'
revert_ok "$pid" "$T/open/cet.so"
target_stop t
log "PASS"
