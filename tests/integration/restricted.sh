# SPDX-License-Identifier: GPL-2.0-or-later
# restricted.sh - helpers for the tests of restricted targets: a process
# that dropped root (uid-change.sh), in a chroot (chroot.sh), in another
# mount namespace (mount-ns.sh).  Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/restricted.sh"
#
# Mounts made with jail_mount are undone (lazily, so that no process can
# keep them) before lib.sh's clean-up removes the temp dir: rm -rf must
# never walk into a mounted /proc.

JAIL_MOUNTS=()

# Inside a chroot a relative path means nothing.
LIBPULP=$(realpath "$LIBPULP") TARGETS=$(realpath "$TARGETS")

jail_cleanup() {
	local rc=$? i
	for ((i = ${#JAIL_MOUNTS[@]} - 1; i >= 0; i--)); do
		umount -l "${JAIL_MOUNTS[$i]}" 2>/dev/null
	done
	(exit "$rc")
	cleanup
}
trap jail_cleanup EXIT

# require_root WHAT - skip (77) unless root: chroot, mount and switching
# users need it.
require_root() {
	[ "$(id -u)" = 0 ] || skip "needs root to $1"
}

# jail_mount ARGS... - mount(8) ARGS, the mount point last; undone at exit.
jail_mount() {
	mount "$@" || fail "mount $* failed"
	JAIL_MOUNTS+=("${!#}")
}

# jail_umount DIR - undo a jail_mount now.
jail_umount() {
	umount "$1" || fail "umount $1 failed"
	local m keep=()
	for m in "${JAIL_MOUNTS[@]}"; do
		[ "$m" = "$1" ] || keep+=("$m")
	done
	JAIL_MOUNTS=("${keep[@]}")
}

# jail_make DIR PROGRAM... - copy the programs, libpulp.so and every
# library they load into DIR at the same absolute paths, so that inside
# the chroot the programs, their RUNPATHs and LD_PRELOAD=$LIBPULP work
# unchanged.  DIR/proc is made, not mounted.
jail_make() {
	local dir=$1 f lib
	shift
	mkdir -p "$dir/proc" "$dir/tmp" || fail "cannot create $dir"
	for f in "$@" "$LIBPULP"; do
		cp -L --parents "$f" "$dir" || fail "cannot copy $f into $dir"
		for lib in $(ldd "$f" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
			[ -e "$dir$lib" ] || cp -L --parents "$lib" "$dir" || fail "cannot copy $lib into $dir"
		done
	done
	chmod -R a+rX "$dir"
}

# ring PID - the runtime's message ring of PID, in RING: a trigger refused
# before the process was touched leaves it as it was.
ring() {
	run_ulp messages -p "$1"
	[ $RC = 0 ] || fail "ulp messages -p $1 exited $RC"
	RING=$OUT
}

# refused_untouched NAME FILE REGEX - a trigger of FILE on target NAME
# fails with an error matching REGEX, before the process was touched: its
# runtime logged nothing, its answer and ulp check say not patched.
refused_untouched() {
	local name=$1 file=$2 re=$3 pid=${T_PID[$1]} before
	ring "$pid"
	before=$RING
	trigger_fails "$pid" "$file" "$re"
	ring "$pid"
	[ "$RING" = "$before" ] || fail "the runtime of $pid was called: its messages changed"
	assert_alive "$name"
	ask "$name" "plain 5" '^plain 6$'
	check_not_applied "$pid" "$file"
}

# patch_path_is PID FILE - ulp patches says the newest patch of PID was
# loaded from FILE, the path as the process sees it.
patch_path_is() {
	run_ulp patches --json -p "$1"
	json_field processes.0.patches.0.path "$2"
}
