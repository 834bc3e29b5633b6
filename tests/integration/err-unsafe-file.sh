#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-unsafe-file.sh - a patch file someone other than root or the user
# running ulp could change (writable by its group, by others, in a
# directory others may write that is not sticky, owned by another user)
# is refused before any process is touched: the error names the file, says
# why and what to do, and the target is unchanged.  With --force it is
# applied, with a warning naming the reason, and reverted.  A file in a
# sticky world-writable directory and a symlink resolving to a safe file
# are fine; a safe symlink to an unsafe file is not.  Last, an
# --all-or-nothing rollback does not load a patch file that became unsafe
# since it was applied, unless --force.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
# A name of their own (the name of the link is the process name): the
# wildcard of the last step must not reach other tests' processes.
prog=unsafe-$$
ln -s "$(realpath "$TARGETS/target-prog")" "$T/$prog"
target_start t "$T/$prog"
pid=$(tpid t)

# place DIR DIR_MODE FILE_MODE [CONTAINER] - a copy of CONTAINER (default
# the plain patch) in $T/DIR; its path in F.
place() {
	mkdir -p "$T/$1"
	chmod "$2" "$T/$1"
	F=$T/$1/$(basename "${4:-$P}")
	cp "${4:-$P}" "$F" && chmod "$3" "$F" || fail "cannot copy the container into $T/$1"
}

unchanged() {
	assert_alive t
	ask t "plain 5" '^plain 6$'
	check_not_applied "$pid" "$P"
}

# refused_then_forced FILE WHY_REGEX [FIX_REGEX] - the trigger and its
# revert refuse FILE, saying which file, why and what to do; the target is
# unchanged.  With --force both work, with a warning that says why.
refused_then_forced() {
	local f=$1 why=$2 fix=${3:-} real re
	real=$(realpath "$f")
	trigger_fails "$pid" "$f" "cannot use live patch '$real': $why.*; $fix.*, or give --force to accept it\$"
	summary_is 0 0 1
	unchanged
	# ulp check loads nothing from the file: it answers
	check_not_applied "$pid" "$f"

	trigger_ok "$pid" "$f" --force
	re="ulp: warning: --force: using live patch '$real' though $why"
	[[ $ERR =~ $re ]] || fail "--force does not warn why the file is unsafe"
	ask t "plain 5" '^plain 1005$'
	check_applied "$pid" "$f"

	# reverting loads from the file too
	trigger_fails "$pid" "$f" "cannot use live patch '$real': $why" --revert
	ask t "plain 5" '^plain 1005$'
	trigger_ok "$pid" "$f" --revert --force
	unchanged
}

step "a safe copy is applied without a word"
place safe 755 644
safe=$F
trigger_ok "$pid" "$safe"
[[ $ERR != *warning* ]] || fail "a safe file draws a warning"
ask t "plain 5" '^plain 1005$'
revert_ok "$pid" "$safe"
unchanged

step "writable by its group"
place group 755 664
refused_then_forced "$F" "it is writable by its group '[^']+' \(mode 0664\)" "run 'chmod go-w $F'"

step "writable by others"
place other 755 646
refused_then_forced "$F" "it is writable by others \(mode 0646\)"

step "in a directory anyone may write, not sticky"
place open 777 644
refused_then_forced "$F" "its directory '$T/open' is writable by its group '[^']+' and by others \(mode 0777\) and not sticky" "run 'chmod go-w $T/open' or move the file"

step "a directory above it that its group may write"
mkdir -p "$T/shared/sub"
chmod 775 "$T/shared"
place shared/sub 755 644
refused_then_forced "$F" "directory '$T/shared' above it is writable by its group '[^']+' \(mode 0775\) and not sticky"

step "owned by another user"
if [ "$(id -u)" = 0 ]; then
	place nobody 755 644
	chown 65534 "$F"
	refused_then_forced "$F" "it belongs to user ('[^']+' \(uid 65534\)|uid 65534), not to root"
	place nobodydir 755 644
	chown 65534 "$T/nobodydir"
	refused_then_forced "$F" "its directory '$T/nobodydir' belongs to user ('[^']+' \(uid 65534\)|uid 65534)"
else
	log "not root: no file of another user to try (the other cases stand)"
fi

step "a sticky directory anyone may write, like /tmp, is fine"
place sticky 1777 644
trigger_ok "$pid" "$F"
[[ $ERR != *warning* ]] || fail "a file in a sticky directory draws a warning"
ask t "plain 5" '^plain 1005$'
revert_ok "$pid" "$F"
unchanged

step "symlinks: what counts is the file they resolve to"
ln -s "$safe" "$T/open/to-safe.so"
trigger_ok "$pid" "$T/open/to-safe.so"
[[ $OUT =~ "applied '$safe'" ]] || fail "the trigger does not name the file the link resolves to"
revert_ok "$pid" "$T/open/to-safe.so"
place group 755 664
ln -s "$F" "$T/safe/to-group.so"
trigger_fails "$pid" "$T/safe/to-group.so" "cannot use live patch '$F': it is writable by its group"
unchanged

# err_once TEXT - the last command's stderr has one line with TEXT.
err_once() {
	local n
	n=$(grep -cF -- "$1" <<<"$ERR")
	[ "$n" = 1 ] || fail "stderr has $n lines with '$1', expected one"
}

step "--all-or-nothing: the rollback does not load a patch file that became unsafe"
# Three processes have patch A; the run reverts it for C, the third
# process (held by a tracer) fails, so the other two must get A back.
A=$(container stack200)
C=$(container stack400)
place safe 755 644 "$A"
a=$F
place safe 755 644 "$C"
c=$F
target_start t2 "$T/$prog"
target_start t3 "$T/$prog"
run_ulp trigger -p "$prog" "$a"
summary_is 3 0 0
chmod g+w "$a"
target_start holder --no-preload "$TARGETS/ptrace-probe" --hold "$(tpid t3)"
# Killed first at exit: t3 dies a zombie only its tracer may reap.
forget_pid "$(tpid holder)"
PIDS=("$(tpid holder)" "${PIDS[@]}")
run_ulp trigger -p "$prog" --all-or-nothing --revert-all=target "$c"
[ $RC = 3 ] || fail "expected exit 3 (t and t2 keep what the run did), got $RC"
err_once "ulp: error: cannot use live patch '$a': it is writable by its group"
for x in t t2; do
	ask $x "plain 5" '^plain 400$' # C, and nothing loaded from the unsafe A
	check_not_applied "$(tpid $x)" "$a"
done

step "... and with --force it does, with a warning"
# t and t2 get A back (t3 still has it: skipped before it is touched)
run_ulp trigger -p "$prog" --revert-all=target --force "$a"
summary_is 2 1 0
ask t "plain 5" '^plain 200$'
run_ulp trigger -p "$prog" --all-or-nothing --revert-all=target --force "$c"
[ $RC = 1 ] || fail "expected exit 1 (failed cleanly: rolled back), got $RC"
err_once "ulp: warning: --force: using live patch '$a' though it is writable by its group"
for x in t t2 t3; do
	ask $x "plain 5" '^plain 200$'
done
target_stop holder
run_ulp trigger -p "$prog" --revert --force "$a"
summary_is 3 0 0
for x in t t2 t3; do
	target_stop $x
done
log "PASS"
