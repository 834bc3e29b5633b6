#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mount-ns.sh - processes in another mount namespace (unshare --mount),
# one of them also in a chroot, as in a container.  The operator passes
# the patch file as ulp sees it; the process must find the very same file
# (device and inode) from its root: at the same path, through a bind mount
# of its directory, or inside its chroot.  A file hidden from it, or
# another file at that path there, is refused before the process is
# touched.  The namespaces' mounts go away with their processes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/restricted.sh"
setup
require_root "make mount namespaces"
command -v unshare >/dev/null || fail "unshare (util-linux) is needed"
command -v chroot >/dev/null || fail "chroot (coreutils) is needed"

P=$(container plain)
C=$(container cet)
mkdir -p "$T/shared" "$T/hidden" "$T/src" "$T/dst"
install -m 644 "$C" "$T/shared/cet.so"
install -m 644 "$P" "$T/hidden/plain.so"
install -m 644 "$P" "$T/hidden/copy.so"
install -m 644 "$P" "$T/src/plain.so"

# In the namespace: a tmpfs hides $T/hidden, with a copy of the patch at
# $T/hidden/copy.so; $T/src is seen only at $T/dst.
target_start n unshare --mount --propagation private sh -c '
	mount -t tmpfs tmpfs "$1/hidden" &&
	cp "$2" "$1/hidden/copy.so" &&
	mount --bind "$1/src" "$1/dst" &&
	mount -t tmpfs tmpfs "$1/src" &&
	exec "$3"' sh "$T" "$P" "$TARGETS/target-prog"
pid=$(tpid n)
[ "$(stat -L -c %i /proc/self/ns/mnt)" != "$(stat -L -c %i "/proc/$pid/ns/mnt")" ] ||
	fail "the target is in ulp's mount namespace"

step "a file the namespace hides: refused"
refused_untouched n "$T/hidden/plain.so" "process $pid runs in another mount namespace, where '$T/hidden/plain.so' is not visible: make that file visible there \(bind-mount its directory into that namespace\) and pass the path ulp sees it at"

step "another file at that path in the namespace: refused"
refused_untouched n "$T/hidden/copy.so" "process $pid runs in another mount namespace, where '$T/hidden/copy.so' is another file than the one ulp checked"

step "a bind mount shows the file elsewhere: patched through that path"
trigger_ok "$pid" "$T/src/plain.so"
ask n "plain 5" '^plain 1005$'
check_applied "$pid" "$T/src/plain.so"
patch_path_is "$pid" "$T/dst/plain.so"
revert_ok "$pid" "$T/src/plain.so"
ask n "plain 5" '^plain 6$'

step "a file both namespaces see at the same path: patched as it is"
trigger_ok "$pid" "$T/shared/cet.so"
ask n "cet 5" '^cet 15$'
patch_path_is "$pid" "$T/shared/cet.so"
revert_ok "$pid" "$T/shared/cet.so"
ask n "cet 5" '^cet 10$'
target_stop n

step "a chroot in another mount namespace, like a container"
J=$T/jail
jail_make "$J" "$TARGETS/target-prog"
mkdir -p "$J/patches" "$T/outside"
install -m 644 "$P" "$J/patches/plain.so"
install -m 644 "$P" "$T/outside/plain.so"
target_start c unshare --mount --propagation private sh -c '
	mount --bind "$1" "$1" &&
	mount -t proc proc "$1/proc" &&
	exec chroot "$1" "$2"' sh "$J" "$TARGETS/target-prog"
pid=$(tpid c)
refused_untouched c "$T/outside/plain.so" "process $pid runs in another mount namespace, in a chroot at '$J' there, where '$T/outside/plain.so' is not visible"
trigger_ok "$pid" "$J/patches/plain.so"
ask c "plain 5" '^plain 1005$'
patch_path_is "$pid" /patches/plain.so
revert_ok "$pid" "$J/patches/plain.so"
ask c "plain 5" '^plain 6$'
target_stop c
log "PASS"
