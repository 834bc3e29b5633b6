#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# revert-all.sh - --revert-all=LIB with a new patch removes every patch on
# LIB and applies the new one in the same stop: a thread calling the
# function in a tight loop never sees the original (or any patch but the
# old and the new) in between.  A new patch that cannot be loaded reverts
# nothing; without a patch file it only reverts.
. "$(dirname "$0")/lib.sh"
setup

A=$(container stack200)
B=$(container stack300)
C=$(container stack400)
BROKEN=$(container broken)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

# revert_all_ok SEEN REGEX_OUT ARGS... - one trigger under the watcher:
# it must patch the process, print REGEX_OUT, and the watcher must have
# seen exactly SEEN (the values in the order they changed).
revert_all_ok() {
	local seen=$1 re=$2
	shift 2
	ask t "watch 5" '^watching$'
	run_ulp trigger -p "$pid" "$@"
	summary_is 1 0 0
	[ $RC = 0 ] || fail "trigger exited $RC"
	[[ $OUT =~ $re ]] || fail "trigger did not say /$re/"
	ask t seen "^seen $seen calls [0-9]+\$"
}

step "apply 200, 300"
trigger_ok "$pid" "$A"
trigger_ok "$pid" "$B"
ask t "plain 5" '^plain 300$'

step "--revert-all=target with 400, watched: 300 goes straight to 400"
revert_all_ok "300 400" "reverted 2 patches on 'libplain.so' and applied '.*/stack400_livepatch.so'" --revert-all=target "$C"
check_not_applied "$pid" "$A"
check_not_applied "$pid" "$B"
check_applied "$pid" "$C"
ask t "plain 5" '^plain 400$'

step "--revert-all=LIB by path, a newer patch on top: 200 goes straight to 300"
trigger_ok "$pid" "$A"
ask t "plain 5" '^plain 200$'
revert_all_ok "200 300" "reverted 2 patches on '$TARGETS/libplain.so' and applied" \
	--revert-all="$TARGETS/libplain.so" "$B"
check_not_applied "$pid" "$A"
check_applied "$pid" "$B"
check_not_applied "$pid" "$C"

step "the new patch already applied, shadowed: it stays, as the newest"
trigger_ok "$pid" "$C"
ask t "plain 5" '^plain 400$'
revert_all_ok "400 300" "reverted 1 patch on 'libplain.so' and applied '.*/stack300_livepatch.so'" --revert-all=target "$B"
check_applied "$pid" "$B"
check_not_applied "$pid" "$C"

step "again: nothing else on the library, so nothing to do"
trigger_skipped "$pid" "$B" "already applied in process $pid, and no other on 'libplain.so'" --revert-all=target

step "a new patch that cannot be loaded: nothing is reverted"
trigger_ok "$pid" "$A"
run_ulp trigger -p "$pid" --revert-all=target "$BROKEN"
summary_is 0 0 1
expect_error "refused the patch: .*ulp_test_nowhere"
ask t "plain 5" '^plain 200$'
check_applied "$pid" "$A"
check_applied "$pid" "$B"

step "a corrupt patch file: nothing is reverted, the process is not touched"
head -c 2000 "$C" >"$T/truncated.so"
run_ulp trigger -p "$pid" --revert-all=target "$T/truncated.so"
[ $RC = 1 ] || fail "expected exit 1 for a truncated patch, got $RC"
ask t "plain 5" '^plain 200$'

step "--revert-all=libplain.so without a patch file: back to the original"
revert_all_ok "200 6" "reverted 2 patches on 'libplain.so'"$'\n' --revert-all=libplain.so
check_not_applied "$pid" "$A"
check_not_applied "$pid" "$B"

step "nothing left to revert: SKIPPED"
run_ulp trigger -p "$pid" --revert-all=libplain.so
summary_is 0 1 0
[[ $OUT =~ "no live patch on 'libplain.so' is applied" ]] || fail "the skip does not say why"

step "--json says what was reverted"
trigger_ok "$pid" "$A"
trigger_ok "$pid" "$C"
run_ulp trigger -p "$pid" --revert-all=libplain.so --json
[ $RC = 0 ] || fail "trigger --json exited $RC"
json_field patch null
json_field revert_all libplain.so
json_field processes.0.status patched
json_field processes.0.reverted_patches 2
json_field summary.patched 1

step "usage errors"
run_ulp trigger -p "$pid" --revert-all=target
[ $RC = 2 ] || fail "--revert-all=target without a file: expected 2, got $RC"
run_ulp trigger -p "$pid" --revert --revert-all=target "$A"
[ $RC = 2 ] || fail "--revert with --revert-all: expected 2, got $RC"
ask t "plain 5" '^plain 6$'
target_stop t
log "PASS"
