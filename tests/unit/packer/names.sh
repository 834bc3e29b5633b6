#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# names.sh - how the packer picks a symbol of the target by name: two
# statics of one name in different files, two versions of one export.
# Ambiguous names are refused with each candidate spelled the way that
# picks it; that spelling packs the offset readelf gives.
set -u
ULP=${ULP:-${BUILD_ULP:-}}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
work=$(mktemp -d) || fail "no work directory"
trap 'rm -rf "$work"' EXIT
cd "$work" || fail "cannot enter $work"

# pack DSC_LINES... - write t.dsc for libgold-target (or $LIB) and pack it.
pack() {
	{
		echo "$PATCH_SO"
		echo "@${LIB:-$TARGET_SO}"
		printf '%s\n' "$@"
	} >t.dsc
	"$ULP" packer t.dsc -o out.so >out.txt 2>err.txt
	RC=$?
	echo "# packer: $* -> $RC $(cat err.txt)"
}

# local_value FILE NAME SOURCE: the value of the static NAME defined in SOURCE.
local_value() {
	readelf -Ws "$1" | awk -v n="$2" -v f="$3" '$4 == "FILE" { file = $8 } $8 == n && file == f { print $2; exit }'
}

# dump_old_off: the old offset of the first function of out.so.
dump_old_off() {
	"$ULP" dump out.so | sed -n 's/^function: .*(old offset 0x\([0-9a-f]*\),.*/\1/p' | head -1
}

same_off() {
	((16#$1 == 16#$2)) || fail "$3: packed 0x$1, readelf says 0x$2"
}

echo "== two statics named gold_dup"
pack "gold_dup:gold_add_v2"
[ $RC = 1 ] || fail "an ambiguous static was packed"
grep -q "several functions named 'gold_dup': gold_dup\[gold-target.c\] at 0x[0-9a-f]*, gold_dup\[gold-dup.c\] at 0x[0-9a-f]*; write the name that picks one" err.txt ||
	fail "the candidates are not listed"
for src in gold-target.c gold-dup.c; do
	pack "gold_dup[$src]:gold_add_v2"
	[ $RC = 0 ] || fail "gold_dup[$src] was refused"
	same_off "$(dump_old_off)" "$(local_value "$TARGET_SO" gold_dup "$src")" "gold_dup[$src]"
done
pack "gold_dup[nope.c]:gold_add_v2"
grep -q "has no function 'gold_dup\[nope.c\]'" err.txt || fail "a file that defines no such static is not refused"

echo "== a reference to an ambiguous static"
pack "gold_add:gold_add_v2" "#gold_dup:gold_dup_ref"
grep -q "several symbols named 'gold_dup': gold_dup\[gold-target.c\] .*, gold_dup\[gold-dup.c\] .*; write the name that picks one, or give its offset" err.txt ||
	fail "an ambiguous reference is not refused with its candidates"

echo "== two versions of gold_ver"
LIB=$VER_SO
pack "gold_ver:gold_add_v2"
[ $RC = 1 ] || fail "an ambiguous versioned name was packed"
grep -q "several functions named 'gold_ver': .*gold_ver@GOLD_1 at 0x[0-9a-f]*" err.txt &&
	grep -q "several functions named 'gold_ver': .*gold_ver@@GOLD_2 at 0x[0-9a-f]*" err.txt ||
	fail "the versions are not listed"
v1=$(readelf -Ws --dyn-syms "$VER_SO" | awk '$8 == "gold_ver@GOLD_1" { print $2; exit }')
v2=$(readelf -Ws --dyn-syms "$VER_SO" | awk '$8 == "gold_ver@@GOLD_2" { print $2; exit }')
[ -n "$v1" ] && [ -n "$v2" ] && [ "$v1" != "$v2" ] || fail "fixture: readelf finds no two versions ($v1, $v2)"
pack "gold_ver@GOLD_1:gold_add_v2"
[ $RC = 0 ] || fail "gold_ver@GOLD_1 was refused"
same_off "$(dump_old_off)" "$v1" "gold_ver@GOLD_1"
pack "gold_ver@@GOLD_2:gold_add_v2"
[ $RC = 0 ] || fail "gold_ver@@GOLD_2 was refused"
same_off "$(dump_old_off)" "$v2" "gold_ver@@GOLD_2"
pack "gold_ver@@GOLD_1:gold_add_v2"
[ $RC = 1 ] || fail "'@@' picked a version that is not the default"
pack "gold_ver@GOLD_3:gold_add_v2"
grep -q "has no function 'gold_ver@GOLD_3'" err.txt || fail "an unknown version is not refused"

echo "== a JSON file that 'ulp extract' did not write"
LIB=$work/other.json
echo '{"hello": 1}' >other.json
pack "gold_add:gold_add_v2"
grep -q "'.*other.json' is not an 'ulp extract' document" err.txt || fail "a foreign JSON is not refused clearly"
echo "PASS"
