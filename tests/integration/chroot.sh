#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# chroot.sh - a process in a chroot, in ulp's own mount namespace.  The
# operator passes the patch file as ulp sees it; the process opens it
# from its root.  A file under the chroot is patched through the path
# inside it; a file outside it, another file at the same path inside it,
# or a chroot without /proc is refused before the process is touched,
# with a message that says why and what to do.  An --all-or-nothing
# --revert-all undone finds the patches it had reverted through the paths
# the process recorded, inside its root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/restricted.sh"
setup
require_root "chroot a process and mount /proc in its root"
command -v chroot >/dev/null || fail "chroot (coreutils) is needed"

J=$T/jail
jail_make "$J" "$TARGETS/target-prog"
# A name of its own, for -p: a wildcard must not reach other tests' processes.
prog=chr-$$
ln -s "$TARGETS/target-prog" "$J/$prog"
# The dynamic loader finds $ORIGIN through /proc/self/exe.
jail_mount -t proc proc "$J/proc"
target_start t chroot "$J" "/$prog"
pid=$(tpid t)
[ "$(readlink "/proc/$pid/root")" = "$J" ] || fail "the target is not chrooted at $J"

P=$(container plain)
mkdir -p "$J/patches" "$T/outside" "$J$T"
install -m 644 "$P" "$J/patches/plain.so"
install -m 644 "$P" "$T/outside/plain.so"
# The same bytes at the same path on both sides: a copy is not the file
# ulp checked, and is refused too.
install -m 644 "$P" "$T/copy.so"
install -m 644 "$P" "$J$T/copy.so"

step "no /proc in the chroot: refused"
jail_umount "$J/proc"
refused_untouched t "$J/patches/plain.so" "process $pid runs in a chroot at '$J' without /proc: its runtime checks the patch it loads through /proc/self/maps; mount proc at '$J/proc'"

jail_mount -t proc proc "$J/proc"

step "a file outside the chroot: refused"
refused_untouched t "$T/outside/plain.so" "process $pid runs in a chroot at '$J', where '$T/outside/plain.so' is not visible: copy the patch under '$J' and pass that path"

step "another file at the same path inside the chroot: refused"
refused_untouched t "$T/copy.so" "process $pid runs in a chroot at '$J', where '$T/copy.so' is another file than the one ulp checked: to load that one, pass '$J$T/copy.so'; else copy the patch under '$J' and pass that path"

step "a file under the chroot: patched through its path inside"
trigger_ok "$pid" "$J/patches/plain.so"
ask t "plain 5" '^plain 1005$'
check_applied "$pid" "$J/patches/plain.so"
patch_path_is "$pid" /patches/plain.so
revert_ok "$pid" "$J/patches/plain.so"
ask t "plain 5" '^plain 6$'
check_not_applied "$pid" "$J/patches/plain.so"

step "a file under the chroot, named through /proc/PID/root"
install -m 644 "$(container cet)" "$J/patches/cet.so"
trigger_ok "$pid" "/proc/$pid/root/patches/cet.so"
ask t "cet 5" '^cet 15$'
patch_path_is "$pid" /patches/cet.so
revert_ok "$pid" "$J/patches/cet.so"
ask t "cet 5" '^cet 10$'

step "--all-or-nothing --revert-all, undone: the reverted patch is found through the chroot"
ln -s "$TARGETS/target-prog" "$T/$prog"
target_start h "$T/$prog"
install -m 644 "$(container stack200)" "$J/patches/s200.so"
install -m 644 "$(container stack400)" "$J/patches/s400.so"
run_ulp trigger -p "$prog" "$J/patches/s200.so"
summary_is 2 0 0
ask t "plain 5" '^plain 200$'
target_start holder --no-preload "$TARGETS/ptrace-probe" --hold "$(tpid h)"
run_ulp trigger -p "$prog" --all-or-nothing --revert-all=target "$J/patches/s400.so"
summary_is 0 1 1
[ $RC = 1 ] || fail "expected exit 1 (failed cleanly, rolled back), got $RC"
[[ $OUT =~ "pid $pid ($prog): SKIPPED: rolled back" ]] || fail "process $pid was not rolled back"
ask t "plain 5" '^plain 200$'
check_applied "$pid" "$J/patches/s200.so"
check_not_applied "$pid" "$J/patches/s400.so"
target_stop holder
run_ulp trigger -p "$prog" --revert "$J/patches/s200.so"
summary_is 2 0 0
target_stop h

step "again, the process having lost its /proc: already loaded, nothing to open"
jail_umount "$J/proc"
trigger_ok "$pid" "$J/patches/plain.so"
ask t "plain 5" '^plain 1005$'
revert_ok "$pid" "$J/patches/plain.so"
target_stop t
log "PASS"
