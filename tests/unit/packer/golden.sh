#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# golden.sh MODE ARGS... - the packer's golden tests, run by meson:
#
#   pack CASE          cases/CASE.dsc (+ CASE.args) must pack; 'ulp dump',
#                      normalised, must equal cases/CASE.dump, and every
#                      offset, size, build-id and the patch id are checked
#                      against nm, readelf and sha256sum.
#   refuse CASE        packing must fail with exit 1 and exactly the line in
#                      cases/CASE.err, leaving the patch object untouched.
#   livepatchable FILE STATUS
#                      'ulp livepatchable FILE' must exit with STATUS.
#   dump-errors        'ulp dump' refuses non-containers and damaged ones.
#
# Environment: BUILD_ULP (or ULP, to test another build of ulp, e.g. one
# with sanitizers), CASES, and the fixtures TARGET_SO, CET_SO, NOPATCH_SO,
# NOBID_SO, EXE, PATCH_SO (built by meson.build).  Each run works in a
# fresh directory with the fixtures under the names the cases use.
set -u
ULP=${ULP:-${BUILD_ULP:-}}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

for var in ULP CASES TARGET_SO CET_SO NOPATCH_SO NOBID_SO EXE PATCH_SO; do
	[[ -n ${!var:-} ]] || fail "environment variable $var is not set"
done
for tool in nm readelf sha256sum cmp dd; do
	command -v "$tool" >/dev/null || fail "'$tool' is needed (binutils, coreutils)"
done

work=$(mktemp -d) || fail "cannot create a work directory"
trap 'rm -rf "$work"' EXIT
cp "$TARGET_SO" "$work/libgold-target.so" &&
	cp "$CET_SO" "$work/libgold-cet.so" &&
	cp "$NOPATCH_SO" "$work/libgold-nopatch.so" &&
	cp "$NOBID_SO" "$work/libgold-nobid.so" &&
	cp "$EXE" "$work/gold-exe" &&
	cp "$PATCH_SO" "$work/libgold-patch.so" &&
	echo "not an ELF file" >"$work/not-elf.txt" || fail "cannot copy the fixtures"
cd "$work" || fail "cannot enter $work"

# case_args CASE: the extra packer arguments of a case, one per word.
case_args() {
	args=()
	if [[ -f $CASES/$1.args ]]; then
		read -ra args <"$CASES/$1.args"
	fi
}

# arg_value FLAG DEFAULT: the value given to FLAG in $args, else DEFAULT.
arg_value() {
	local i
	for ((i = 0; i < ${#args[@]} - 1; i++)); do
		if [[ ${args[i]} == "$1" ]]; then
			echo "${args[i + 1]}"
			return
		fi
	done
	echo "$2"
}

normalise() {
	sed -E -e 's/^patch id: [0-9a-f]{64}$/patch id: ID/' \
		-e 's/^build id: [0-9a-f]+$/build id: BUILDID/' \
		-e 's/offset 0x[0-9a-f]+, size [0-9]+/offset OFF, size N/g'
}

# symbol FILE NAME: "VALUE SIZE" (hex) of the function NAME in FILE.
symbol() {
	nm -S --defined-only "$1" | awk -v n="$2" '$4 == n && ($3 == "T" || $3 == "t") { print $1, $2 }'
}

# check_functions DUMP TARGET PATCH: every function line against nm.
check_functions() {
	local re='^function: ([^ ]+) -> ([^ ]+) \(old offset 0x([0-9a-f]+), size ([0-9]+); new offset 0x([0-9a-f]+), size ([0-9]+)\)$'
	local line n=0 v s
	while read -r line; do
		[[ $line =~ $re ]] || continue
		local m=("${BASH_REMATCH[@]}")
		read -r v s < <(symbol "$2" "${m[1]}")
		[[ -n ${v:-} ]] || fail "nm finds no function '${m[1]}' in $2"
		((16#$v == 16#${m[3]} && 16#$s == ${m[4]})) ||
			fail "'${m[1]}': dump says 0x${m[3]}/${m[4]}, nm says 0x$v/0x$s"
		read -r v s < <(symbol "$3" "${m[2]}")
		((16#$v == 16#${m[5]} && 16#$s == ${m[6]})) ||
			fail "'${m[2]}': dump says 0x${m[5]}/${m[6]}, nm says 0x$v/0x$s"
		n=$((n + 1))
	done <"$1"
	((n > 0)) || fail "no function line in the dump"
}

# check_ids DUMP TARGET OUT: build-id against readelf, patch id against
# sha256sum of OUT with the 32 digest bytes zeroed.
check_ids() {
	local want got off
	want=$(readelf -n "$2" | sed -n 's/^ *Build ID: //p')
	got=$(sed -n 's/^build id: //p' "$1")
	[[ -n $want && $got == "$want" ]] || fail "build id '$got', readelf says '$want'"
	got=$("$ULP" dump -b "$3") || fail "'ulp dump -b' failed"
	[[ $got == "$want" ]] || fail "'ulp dump -b' printed '$got', readelf says '$want'"

	off=$(readelf -SW "$3" | sed -n 's/^ *\[ *[0-9]*\] \.ulp\.meta  *PROGBITS  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
	[[ -n $off ]] || fail "readelf finds no .ulp.meta section in $3"
	cp "$3" zeroed
	dd if=/dev/zero of=zeroed bs=1 seek=$((16#$off + 64)) count=32 conv=notrunc status=none
	want=$(sha256sum zeroed | cut -d' ' -f1)
	got=$(sed -n 's/^patch id: //p' "$1")
	[[ $got == "$want" ]] || fail "patch id '$got', sha256sum says '$want'"
}

# check_image ORIG OUT: the bytes of ORIG are in OUT, except e_shoff and
# e_shnum, and the program headers are the same: the loaded image is.
check_image() {
	local size
	size=$(stat -c %s "$1")
	cmp -n 40 "$1" "$2" >/dev/null || fail "ELF header changed before e_shoff"
	cmp -i 48 -n 12 "$1" "$2" >/dev/null || fail "ELF header changed between e_shoff and e_shnum"
	cmp -i 62 -n $((size - 62)) "$1" "$2" >/dev/null || fail "bytes of the patch object changed"
	diff <(readelf -lW "$1") <(readelf -lW "$2") >/dev/null || fail "program headers changed"
}

mode_pack() {
	local case=$1 out target first
	case_args "$case"
	cp "$CASES/$case.dsc" . && cp libgold-patch.so patch.orig || fail "cannot set up"
	"$ULP" packer "$case.dsc" "${args[@]}" >out.txt 2>err.txt || fail "packer failed: $(cat err.txt)"
	[[ -s err.txt ]] && fail "packer wrote to stderr: $(cat err.txt)"
	out=$(arg_value -o "$(arg_value -l libgold-patch.so)")
	target=$(arg_value -t "$(sed -n 's/^@//p' "$case.dsc")")
	"$ULP" dump "$out" >dump.txt 2>err.txt || fail "dump failed: $(cat err.txt)"
	normalise <dump.txt | diff -u "$CASES/$case.dump" - || fail "dump differs from $case.dump"
	check_functions dump.txt "$target" "$out"
	check_ids dump.txt "$target" "$out"
	check_image patch.orig "$out"

	# Packing again replaces the metadata: same size, same patch id.
	first=$(stat -c %s "$out")
	"$ULP" packer -q "$case.dsc" "${args[@]}" -l "$out" -o "$out" || fail "packing again failed"
	[[ $(stat -c %s "$out") == "$first" ]] || fail "packing again changed the size"
	"$ULP" dump "$out" | diff -u dump.txt - || fail "packing again changed the dump"
	ls ./*.ulp.tmp.* >/dev/null 2>&1 && fail "temporary file left behind"
	return 0
}

mode_refuse() {
	local case=$1 rc
	case_args "$case"
	cp "$CASES/$case.dsc" . && cp libgold-patch.so patch.orig || fail "cannot set up"
	"$ULP" packer "$case.dsc" "${args[@]}" >out.txt 2>err.txt
	rc=$?
	[[ $rc == 1 ]] || fail "packer exited $rc, want 1; stderr: $(cat err.txt)"
	diff -u "$CASES/$case.err" err.txt || fail "error message differs from $case.err"
	[[ -s out.txt ]] && fail "packer wrote to stdout: $(cat out.txt)"
	cmp libgold-patch.so patch.orig || fail "the patch object was modified"
	ls ./*.ulp.tmp.* >/dev/null 2>&1 && fail "temporary file left behind"
	return 0
}

mode_livepatchable() {
	local rc
	"$ULP" livepatchable "$1" >out.txt 2>err.txt
	rc=$?
	[[ $rc == "$2" ]] || fail "'ulp livepatchable $1' exited $rc, want $2: $(cat out.txt err.txt)"
	if [[ $rc == 2 ]]; then
		grep -q "^ulp: error: cannot read '$1': " err.txt || fail "no error message: $(cat err.txt)"
	fi
	return 0
}

# expect_dump_error FILE LINE: 'ulp dump FILE' exits 1 printing LINE.
expect_dump_error() {
	local rc
	"$ULP" dump "$1" >out.txt 2>err.txt
	rc=$?
	[[ $rc == 1 ]] || fail "'ulp dump $1' exited $rc, want 1"
	[[ $(cat err.txt) == "$2" ]] || fail "'ulp dump $1' said '$(cat err.txt)', want '$2'"
	[[ -s out.txt ]] && fail "'ulp dump $1' wrote to stdout"
	return 0
}

# flip_byte FILE OFFSET: invert every bit of one byte in place.
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[[ -n $b ]] || fail "cannot read byte $2 of $1"
	printf "$(printf '\\%03o' $((b ^ 0xff)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

mode_dump_errors() {
	cp "$CASES/plain.dsc" . || fail "cannot set up"
	"$ULP" packer -q plain.dsc || fail "cannot pack plain.dsc"
	expect_dump_error libgold-target.so \
		"ulp: error: cannot read live patch 'libgold-target.so': not a live patch container (no .ulp.meta section; run 'ulp packer')"
	expect_dump_error plain.dsc "ulp: error: cannot read live patch 'plain.dsc': not an ELF file"
	expect_dump_error missing.so "ulp: error: cannot read live patch 'missing.so': No such file or directory"
	# One byte of code changed after packing.
	local text
	text=$(readelf -SW libgold-patch.so | sed -n 's/^ *\[ *[0-9]*\] \.text  *PROGBITS  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
	[[ -n $text ]] || fail "readelf finds no .text in the patch object"
	cp libgold-patch.so damaged.so
	flip_byte damaged.so $((16#$text + 1))
	expect_dump_error damaged.so \
		"ulp: error: cannot read live patch 'damaged.so': container digest mismatch: the file changed after packing"
	# Truncated in the middle of the metadata.
	head -c $(($(stat -c %s libgold-patch.so) - 100)) libgold-patch.so >short.so
	"$ULP" dump short.so >/dev/null 2>&1 && fail "'ulp dump' accepted a truncated container"
	return 0
}

mode=${1:-}
shift
case $mode in
pack) mode_pack "$@" ;;
refuse) mode_refuse "$@" ;;
livepatchable) mode_livepatchable "$@" ;;
dump-errors) mode_dump_errors ;;
*) fail "unknown mode '$mode'" ;;
esac
