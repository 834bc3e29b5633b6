#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# chroot.sh - a process in a chroot, in ulp's own mount namespace.  The
# operator passes the patch file as ulp sees it; the process opens it
# from its root.  A file under the chroot is patched through the path
# inside it; a file outside it, another file at the same path inside it,
# or a chroot without /proc is refused before the process is touched,
# with a message that says why and what to do.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/restricted.sh"
setup
require_root "chroot a process and mount /proc in its root"
command -v chroot >/dev/null || fail "chroot (coreutils) is needed"

J=$T/jail
jail_make "$J" "$TARGETS/target-prog"
# The dynamic loader finds $ORIGIN through /proc/self/exe.
jail_mount -t proc proc "$J/proc"
target_start t chroot "$J" "$TARGETS/target-prog"
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

step "again, the process having lost its /proc: already loaded, nothing to open"
jail_umount "$J/proc"
trigger_ok "$pid" "$J/patches/plain.so"
ask t "plain 5" '^plain 1005$'
revert_ok "$pid" "$J/patches/plain.so"
target_stop t
log "PASS"
