#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cf-protection.sh - libcet.so is built with -fcf-protection: its entries
# start with endbr64 and the two patchable NOPs follow it.  The patch must
# keep the landing pad and work the same (cet 7: 14 -> 21).
. "$(dirname "$0")/lib.sh"
setup

P=$(container cet)

# The test means something only if the entry really starts with endbr64.
if command -v objdump >/dev/null; then
	objdump -d --no-show-raw-insn "$TARGETS/libcet.so" |
		grep -A1 '<cet_value>:' | grep -q endbr64 ||
		fail "libcet.so: cet_value does not start with endbr64"
fi

target_start t "$TARGETS/target-prog"
pid=$(tpid t)
step "apply, check, revert, check"
patch_cycle t "$P" "cet 7" '^cet 14$' '^cet 21$'
step "apply again, other libraries untouched"
trigger_ok "$pid" "$P"
ask t "cet -2" '^cet -6$'
ask t "plain 5" '^plain 6$'
revert_ok "$pid" "$P"
target_stop t
log "PASS"
