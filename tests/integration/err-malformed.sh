#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-malformed.sh - containers that must be refused before anything is
# sent into the process: a truncated copy, a copy with one byte flipped (in
# the metadata, and in the code), and a plain .so that was never packed.
# After each, the target is unchanged; at the end the good container still
# applies.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)
size=$(stat -c %s "$P")

# flip FILE OFFSET - invert one byte in place.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 0xff)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# refused FILE REGEX - trigger fails, target unchanged.
refused() {
	trigger_fails "$pid" "$1" "$2"
	assert_alive t
	ask t "plain 5" '^plain 6$'
	check_not_applied "$pid" "$P"
}

step "truncated to half"
head -c $((size / 2)) "$P" >"$T/truncated.so"
refused "$T/truncated.so" "malformed|truncated|not an elf|container|digest"

step "one byte flipped in the metadata"
cp "$P" "$T/flip-meta.so"
meta=$(grep -obUaF ULPMETA1 "$T/flip-meta.so" | head -1 | cut -d: -f1)
[ -n "$meta" ] || fail "no ULPMETA1 magic in $P"
flip "$T/flip-meta.so" $((meta + 100))
cmp -s "$P" "$T/flip-meta.so" && fail "the flip changed nothing"
refused "$T/flip-meta.so" "digest|malformed|changed"

step "one byte flipped in the code"
cp "$P" "$T/flip-code.so"
code=$(readelf -SW "$P" | awk '{ for (i = 1; i < NF; i++) if ($i == ".text") print $(i + 3) }')
[ -n "$code" ] || fail "no .text in $P"
flip "$T/flip-code.so" $((0x$code + 4))
refused "$T/flip-code.so" "digest|changed"

step "the magic itself flipped"
cp "$P" "$T/flip-magic.so"
flip "$T/flip-magic.so" "$meta"
refused "$T/flip-magic.so" "not a live patch|container|malformed|digest"

step "a patch object never packed"
cp "$TARGETS/libpatch_plain.so" "$T/unpacked.so"
refused "$T/unpacked.so" "not a live patch container|packer"

step "not an ELF file at all"
printf 'this is not a live patch\n' >"$T/text.so"
refused "$T/text.so" "not an elf|container"

step "the good container still applies"
patch_cycle t "$P" "plain 5" '^plain 6$' '^plain 1005$'
target_stop t
log "PASS"
