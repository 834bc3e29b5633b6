#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bsymbolic.sh - libbsym.so is linked with -Bsymbolic, so bsym_outer()
# calls bsym_inner() directly inside the library, bypassing the dynamic
# symbol lookup.  Patching bsym_inner() must redirect that internal call
# (bsym 5 = 10 * bsym_inner(5): 60 -> 70) as well as calls from outside
# (bsymi 5: 6 -> 7).
. "$(dirname "$0")/lib.sh"
setup

P=$(container bsym)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

step "apply, check, revert, check (internal call)"
patch_cycle t "$P" "bsym 5" '^bsym 60$' '^bsym 70$'

step "calls from the executable too"
trigger_ok "$pid" "$P"
ask t "bsymi 5" '^bsymi 7$'
ask t "bsym 1" '^bsym 30$'
revert_ok "$pid" "$P"
ask t "bsymi 5" '^bsymi 6$'
target_stop t
log "PASS"
