#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stack-unreliable.sh - a frame without unwind information makes a stack
# unreliable, and an unreliable stack is never taken for a consistent one.
# libnounwind.so is built without unwind tables: nounwind_block() has no
# FDE (checked here with readelf first); it blocks in read(2).
#  (a) stack-prog's worker blocked in nounwind_block(), called from the
#      program: a patch of plain_value() (libplain.so) is refused with
#      trigger --timeout=2: "the stack of thread T is not reliable (no
#      unwind information for frame 1, ... libnounwind.so"; nothing was
#      written (old code); once the worker has left, the patch applies;
#  (b) the worker blocked in nounwind_block() called from via_nounwind()
#      (libvia.so, with unwind information), the function being patched:
#      the trigger must be refused (not reliable, or inside via_nounwind -
#      either is right, a switch is not); once the worker has left, the
#      patch applies.  With --no-stack-check it applies at once.
. "$(dirname "$0")/lib.sh"
setup

NOUNWIND=$TARGETS/libnounwind.so
P=$(container plain)
PV=$(container via)

step "precondition: no FDE of $NOUNWIND covers nounwind_block()"
command -v readelf >/dev/null || fail "readelf (binutils) is needed to check the test library"
read -r sym_addr sym_size < <(readelf -sW "$NOUNWIND" |
	awk '$4 == "FUNC" && $8 == "nounwind_block" { print $2, $3; exit }')
[ -n "${sym_addr:-}" ] || fail "no symbol nounwind_block in $NOUNWIND"
sym_lo=$((16#$sym_addr))
sym_hi=$((sym_lo + sym_size))
fdes=0
while read -r range; do
	lo=$((16#${range%%..*}))
	hi=$((16#${range##*..}))
	fdes=$((fdes + 1))
	((hi <= sym_lo || lo >= sym_hi)) ||
		fail "an FDE of $NOUNWIND covers nounwind_block [0x$sym_addr, +$sym_size): pc=$range"
done < <(readelf --debug-dump=frames "$NOUNWIND" | sed -n 's/.* FDE .*pc=\([0-9a-f]*\.\.[0-9a-f]*\).*/\1/p')
log "nounwind_block at 0x$sym_addr, $sym_size bytes; none of the $fdes FDEs of the library covers it"

target_start t "$TARGETS/stack-prog"
pid=$(tpid t)
ask t "call plain 5" '^plain 6$'
ask t "call nounwind" '^nounwind 2$'
ask t "call via" '^via 12$'

step "(a) a thread blocked in nounwind_block(): the trigger is refused, not reliable"
stack_job t nounwind
log "worker: thread $JOB_TID, blocked in read($JOB_FD) in nounwind_block()"
trigger_fails "$pid" "$P" \
	"process $pid: the stack of thread $JOB_TID is not reliable \\(no unwind information for frame 1, at [^;]*libnounwind\\.so.*\\), so the switch cannot be proven safe; nothing was written" \
	--timeout=2
summary_is 0 0 1
check_not_applied "$pid" "$P"
ask t "call plain 5" '^plain 6$'

step "(a) the thread leaves it: the trigger applies"
ask t release '^released$'
ask t result '^result 2$'
trigger_ok "$pid" "$P"
ask t "call plain 5" '^plain 1005$'
revert_ok "$pid" "$P"
ask t "call plain 5" '^plain 6$'

step "(b) a thread in via_nounwind() -> nounwind_block(): a patch of via_nounwind() is refused"
stack_job t via
trigger_fails "$pid" "$PV" \
	"(the stack of thread $JOB_TID is not reliable|thread $JOB_TID is inside 'via_nounwind').*nothing was written" \
	--timeout=2
summary_is 0 0 1
check_not_applied "$pid" "$PV"
ask t "call via" '^via 12$'
ask t release '^released$'
ask t result '^result 12$'
trigger_ok "$pid" "$PV"
ask t "call via" '^via 22$'
revert_ok "$pid" "$PV"

step "(b) --no-stack-check: applies at once with the thread there"
stack_job t via
trigger_ok "$pid" "$PV" --no-stack-check
ask t "call via" '^via 22$'
ask t release '^released$'
# its call was in the old via_nounwind(): it finishes there
ask t result '^result 12$'
revert_ok "$pid" "$PV"
ask t "call via" '^via 12$'

grep -q '^ERR' "$T/t.transcript" && fail "the target reported an error"
target_stop t
log "PASS"
