#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rollback-changed-file.sh - an --all-or-nothing rollback reopens, by
# path, the patches a --revert-all took out.  If another file is at that
# path by then, it is not applied in their place: the rollback stops,
# says the file is no longer the patch that was applied, and the process
# is reported as not rolled back (exit 3) - never silently given another
# patch.
. "$(dirname "$0")/lib.sh"
setup

prog=rbc-$$
ln -s "$(realpath "$TARGETS/target-prog")" "$T/$prog"
target_start t1 "$T/$prog"
target_start t2 "$T/$prog"
held=$(tpid t2)
cp "$(container stack200)" "$T/a.so"
C=$(container stack400)

run_ulp trigger -p "$prog" "$T/a.so"
summary_is 2 0 0
ask t1 "plain 5" '^plain 200$'

step "another file at that path; the revert-all fails in a held process"
# Replaced the way packages replace files (a new inode): the old one stays
# mapped in the processes.  Writing over a loaded patch in place would
# change its code under them, as for any shared library.
cp "$(container stack300)" "$T/a.so.new"
mv "$T/a.so.new" "$T/a.so"
target_start h --no-preload "$TARGETS/ptrace-probe" --hold "$held"
run_ulp trigger -p "$prog" --all-or-nothing --revert-all=target "$C"
[ $RC = 3 ] || fail "expected exit 3 (a process could not be rolled back), got $RC"
[[ $OUT$ERR == *"is no longer the patch that was applied there"* ]] ||
	fail "the rollback does not say the file changed"
ask t1 "plain 5" '^plain 400$'
check_not_applied "$(tpid t1)" "$T/a.so"
target_stop h
for x in 1 2; do
	target_stop "t$x"
done
