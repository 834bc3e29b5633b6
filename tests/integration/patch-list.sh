#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# patch-list.sh - a trigger given a quoted wildcard ('dir/*.so') applies
# every matching patch; --recursive also looks in the directories below;
# --recursive with a directory takes every '*.so' below it.  Reverts take
# them out again.  A wildcard that matches nothing, or one bad file among
# the good ones, is an error before any process is touched.
. "$(dirname "$0")/lib.sh"
setup

D=$T/patches
mkdir -p "$D/sub/deeper"
cp "$(container plain)" "$D/plain_livepatch.so"
cp "$(container unused)" "$D/unused_livepatch.so"   # its library is not loaded
cp "$(container cet)" "$D/sub/cet_livepatch.so"
cp "$(container exe)" "$D/sub/deeper/exe_livepatch.so"
echo "not a patch" >"$D/README"

target_start t "$TARGETS/target-prog"
pid=$(tpid t)

# values PLAIN CET EXE - what plain 5, cet 4 and exe 1 answer.
values() {
	ask t "plain 5" "^plain $1\$"
	ask t "cet 4" "^cet $2\$"
	ask t "exe 1" "^exe $3\$"
}
values 6 8 8

step "'dir/*.so': the two files in the directory, not below it"
run_ulp trigger -p "$pid" "$D/*.so"
summary_is 1 0 0
[ $RC = 0 ] || fail "expected exit 0, got $RC"
[[ $OUT =~ "applied '$D/plain_livepatch.so'" ]] || fail "no line for the plain patch"
[[ $OUT =~ "SKIPPED: '$D/unused_livepatch.so': target library 'libunused.so' is not loaded" ]] ||
	fail "the skip does not name its patch and why"
values 1005 8 8

step "--recursive: the same name pattern below too"
run_ulp trigger -p "$pid" --recursive "$D/*_livepatch.so"
summary_is 1 0 0
[[ $OUT =~ "SKIPPED: '$D/plain_livepatch.so': patch already applied" ]] || fail "plain: not skipped"
[[ $OUT =~ "applied '$D/sub/cet_livepatch.so'" ]] || fail "no line for the cet patch"
[[ $OUT =~ "applied '$D/sub/deeper/exe_livepatch.so'" ]] || fail "no line for the exe patch"
values 1005 12 71

step "--json lists the patches and names one per entry"
run_ulp trigger -p "$pid" --recursive --json "$D/*_livepatch.so"
[ $RC = 4 ] || fail "everything is applied already: expected 4, got $RC"
json_field patch "$D/\\*_livepatch.so"
json_field patches.# 4
json_field processes.# 4
json_field processes.0.patch "$D/plain_livepatch.so"
json_field processes.0.status skipped
json_field summary.skipped 1

step "--recursive --revert with the directory: every '*.so' below it comes out"
run_ulp trigger -p "$pid" --recursive --revert "$D"
summary_is 1 0 0
[ $RC = 0 ] || fail "expected exit 0, got $RC"
values 6 8 8

step "a wildcard that matches nothing: an error"
run_ulp trigger -p "$pid" "$D/*.nothing"
expect_error "no file matches '$D/\\*\\.nothing'"

step "a bad file among good ones: an error, and no process is touched"
head -c 100 "$D/plain_livepatch.so" >"$D/sub/broken_livepatch.so"
run_ulp trigger -p "$pid" --recursive "$D/*.so"
expect_error "cannot use live patch '$D/sub/broken_livepatch.so': malformed.*; no process was touched"
values 6 8 8
target_stop t
log "PASS"
