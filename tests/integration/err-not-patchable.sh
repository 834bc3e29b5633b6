#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# err-not-patchable.sh - libnopatch.so is built without patchable entries:
# `ulp livepatchable` says so, and the packer refuses a patch for it with
# a clear error, producing no container.
. "$(dirname "$0")/lib.sh"
require_tools

step "ulp livepatchable"
run_ulp livepatchable "$TARGETS/libnopatch.so"
[ $RC = 1 ] || fail "livepatchable libnopatch.so: expected 1, got $RC"
run_ulp livepatchable "$TARGETS/libplain.so"
[ $RC = 0 ] || fail "livepatchable libplain.so: expected 0, got $RC"

step "ulp packer refuses"
out=$T/nopatch_livepatch.so
run_ulp packer "$TARGETS_SRC/nopatch.dsc" -l "$TARGETS/libpatch_nopatch.so" \
	-t "$TARGETS/libnopatch.so" -o "$out"
expect_error "patchable"
grep -q nopatch_value <<<"$ERR" || fail "the error does not name the function 'nopatch_value'"
[ ! -e "$out" ] || fail "the packer left a container behind"
left=$(find "$T" -name 'nopatch_livepatch*' | head -1)
[ -z "$left" ] || fail "the packer left a file behind: $left"

step "the same description for a patchable library is accepted (control)"
run_ulp packer "$TARGETS_SRC/plain.dsc" -l "$TARGETS/libpatch_plain.so" \
	-t "$TARGETS/libplain.so" -o "$T/plain_livepatch.so"
[ $RC = 0 ] && [ -f "$T/plain_livepatch.so" ] || fail "the packer refused a good description"
log "PASS"
