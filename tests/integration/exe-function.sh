#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# exe-function.sh - exe_value() lives in the main executable, which is
# built with patchable entries; the container targets the executable
# itself (target-prog), not a library (exe 5: 12 -> 75).
. "$(dirname "$0")/lib.sh"
setup

P=$(container exe)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)
step "apply, check, revert, check"
patch_cycle t "$P" "exe 5" '^exe 12$' '^exe 75$'
step "re-apply; the libraries are untouched"
trigger_ok "$pid" "$P"
ask t "exe 0" '^exe 70$'
ask t "plain 5" '^plain 6$'
revert_ok "$pid" "$P"
ask t "exe 0" '^exe 7$'
target_stop t
log "PASS"
