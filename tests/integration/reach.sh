#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# reach.sh - patches that reach into their target (issue 6): a static
# variable read and written (of libreach.so, and of the main executable),
# a static helper called, a static thread-local variable seen by two
# threads, the original function called by its wrapper; references by
# name, by offsets, and packed from an 'ulp extract' JSON without the
# library; a function inlined into a caller; and the four hooks, also when
# ulp is killed with hooks still owed.
. "$(dirname "$0")/lib.sh"
setup

Q=$TARGETS/json-query
SRC=$TARGETS_SRC_DIR
R=$(container reach)
target_start t "$TARGETS/reach-prog"
pid=$(tpid t)

step "before: the library's own answers"
ask t "bump 1" '^bump 11$'
ask t "calc 5" '^calc 11$'
ask t "tls 3 4" '^tls 3 4$'
ask t "check -7" '^check 7$'

step "apply: statics, helper, TLS and the original, through references by name"
run_ulp dump "$R"
grep -q '^reference: reach_counter -> counter_ref (address' <<<"$OUT" || fail "dump lacks the static variable reference"
grep -q '^reference: reach_tls -> tls_ref (tls' <<<"$OUT" || fail "dump lacks the TLS reference"
grep -q '^reference: reach_check -> check_orig (original' <<<"$OUT" || fail "a reference to a replaced function is not to its original body"
trigger_ok "$pid" "$R"
# The counter is the library's: 11 before, +10 now.
ask t "bump 1" '^bump 21$'
ask t "calc 5" '^calc 1010$'
ask t "tls 3 4" '^tls 300 400$'
ask t "check -7" '^check 5007$'
ask t "check 9" '^check 5009$'

step "revert: the library's code again, the static kept what the patch wrote"
revert_ok "$pid" "$R"
ask t "bump 1" '^bump 22$'
ask t "calc 5" '^calc 11$'
ask t "tls 3 4" '^tls 3 4$'
ask t "check -7" '^check 7$'

step "the same references with offsets: from 'ulp extract' and readelf"
run_ulp extract "$TARGETS/libreach.so" -o "$T/reach.json"
[ $RC = 0 ] || fail "extract exited $RC"
toff() { printf '%x' "$("$Q" "symbols.[name=$1].0.offset" <"$T/reach.json")"; }
poff() { readelf -Ws "$TARGETS/libpatch_reach.so" | awk -v n="$1" '$8 == n { print $2; exit }'; }
{
	grep -v '^#' "$SRC/reach.dsc"
	for r in reach_counter:counter_ref reach_scale:scale_ref reach_check:check_orig; do
		printf '#%s:%s:%s:%s\n' "${r%%:*}" "${r#*:}" "$(toff "${r%%:*}")" "$(poff "${r#*:}")"
	done
	printf '#%%reach_tls:tls_ref:%s:%s\n' "$(toff reach_tls)" "$(poff tls_ref)"
} >"$T/reach-off.dsc"
cat "$T/reach-off.dsc" | sed 's/^/#   dsc| /'
run_ulp packer "$T/reach-off.dsc" -l "$TARGETS/libpatch_reach.so" -t "$TARGETS/libreach.so" -o "$T/reach-off.so"
[ $RC = 0 ] || fail "packing with offsets exited $RC"
trigger_ok "$pid" "$T/reach-off.so"
ask t "bump 2" '^bump 42$'
ask t "tls 5 6" '^tls 500 600$'
ask t "check -1" '^check 5001$'
revert_ok "$pid" "$T/reach-off.so"

step "a wrong offset is refused, naming both"
sed 's/^#reach_counter:counter_ref:[0-9a-f]*:/#reach_counter:counter_ref:1234:/' "$T/reach-off.dsc" >"$T/bad-off.dsc"
run_ulp packer "$T/bad-off.dsc" -l "$TARGETS/libpatch_reach.so" -t "$TARGETS/libreach.so" -o "$T/bad.so"
expect_error "'reach_counter' is at offset 0x[0-9a-f]+ in target .*not 0x1234"

step "packed from the 'ulp extract' JSON, without the library"
sed "s|^@.*|@$T/reach.json|" "$SRC/reach.dsc" >"$T/reach-json.dsc"
run_ulp packer "$T/reach-json.dsc" -l "$TARGETS/libpatch_reach.so" -o "$T/reach-json.so"
[ $RC = 0 ] || fail "packing from the JSON exited $RC"
run_ulp dump -b "$T/reach-json.so"
[ "$OUT" = "$("$ULP" dump -b "$R")" ] || fail "the JSON-packed patch targets another build-id"
trigger_ok "$pid" "$T/reach-json.so"
ask t "bump 1" '^bump 52$'
ask t "calc 1" '^calc 1002$'
ask t "tls 7 8" '^tls 700 800$'
revert_ok "$pid" "$T/reach-json.so"

step "a stripped target: statics from its debug file, found through .gnu_debuglink"
mkdir -p "$T/lib"
objcopy --only-keep-debug "$TARGETS/libreach.so" "$T/lib/libreach.so.debug" &&
	strip --strip-all -o "$T/lib/libreach.so" "$TARGETS/libreach.so" &&
	objcopy --add-gnu-debuglink="$T/lib/libreach.so.debug" "$T/lib/libreach.so" || fail "cannot make a stripped copy"
readelf -S "$T/lib/libreach.so" | grep -q '\.symtab' && fail "the stripped copy still has a symbol table"
run_ulp packer "$SRC/reach.dsc" -l "$TARGETS/libpatch_reach.so" -t "$T/lib/libreach.so" -o "$T/reach-dbg.so"
[ $RC = 0 ] || fail "packing against the stripped target and its debug file exited $RC"
run_ulp dump "$T/reach-dbg.so"
diff <(grep -E '^(function|reference):' <<<"$OUT") <("$ULP" dump "$R" | grep -E '^(function|reference):') ||
	fail "the debug file gave other offsets than the unstripped library"
trigger_ok "$pid" "$T/reach-dbg.so"
ask t "calc 2" '^calc 1004$'
revert_ok "$pid" "$T/reach-dbg.so"
rm "$T/lib/libreach.so.debug"
run_ulp packer "$SRC/reach.dsc" -l "$TARGETS/libpatch_reach.so" -t "$T/lib/libreach.so" -o "$T/reach-dbg.so"
expect_error "reach.dsc:8: target .* has no symbol 'reach_counter'; check the name \(static symbols need the target's symbol table: do not strip it, or install its debug file\)"
grep -q "has no DWARF: cannot tell whether the replaced functions were inlined" <<<"$ERR" || fail "no warning that inlined copies cannot be checked"

step "a static variable of the main executable"
ask t "prog 1" '^prog 6$'
trigger_ok "$pid" "$(container reachexe)"
ask t "prog 1" '^prog 106$'
revert_ok "$pid" "$(container reachexe)"
ask t "prog 1" '^prog 107$'

step "an inlined function: packing only it is refused, naming the caller"
run_ulp packer "$SRC/limit-one.dsc" -l "$TARGETS/libpatch_limit.so" -t "$TARGETS/libreach.so" -o "$T/l1.so"
expect_error "limit-one.dsc:4: function 'reach_limit' .* copies .* in 'reach_limited' \(inlined at .*lib-reach.c:[0-9]+\).*--allow-inlined"
[ ! -e "$T/l1.so" ] || fail "a refused patch was written"
run_ulp packer "$SRC/limit-one.dsc" -l "$TARGETS/libpatch_limit.so" -t "$TARGETS/libreach.so" -o "$T/l1.so" --allow-inlined=reach_limited
[ $RC = 0 ] || fail "acknowledged, packing exited $RC"
grep -q "the copy of 'reach_limit' in 'reach_limited' keeps the old code" <<<"$ERR" || fail "no warning for the acknowledged copy"

step "with its caller replaced too, the fix is seen through both paths"
ask t "limit 80" '^limit 160 80$'
trigger_ok "$pid" "$(container limit)"
ask t "limit 80" '^limit 100 50$'
ask t "limit 20" '^limit 40 20$'
revert_ok "$pid" "$(container limit)"
ask t "limit 80" '^limit 160 80$'

step "hooks: pre_patch (1) and post_patch (2) on apply, pre_unpatch (3) and post_unpatch (4) on revert"
H=$(container hooks)
run_ulp dump "$H"
[ "$(grep -c '^hook: ' <<<"$OUT")" = 4 ] || fail "dump does not list the four hooks"
ask t "events" '^events 0$'
trigger_ok "$pid" "$H"
ask t "hooked 1" '^hooked 8$'
ask t "events" '^events 12$'
revert_ok "$pid" "$H"
ask t "hooked 1" '^hooked 1$'
ask t "events" '^events 1234$'

step "a pre_patch hook that refuses: nothing applied, no other hook runs"
trigger_fails "$pid" "$(container hookno)" "pre_patch hook .* refused it \(it returned -22\)"
ask t "hooked 1" '^hooked 1$'
ask t "events" '^events 12341$'
check_not_applied "$pid" "$(container hookno)"

step "a switch given up after pre_patch: post_unpatch undoes it"
ask t "hold" '^held$'
sleep 0.2
run_ulp trigger -p "$pid" -r 2 "$H"
expect_error "not in a consistent state in 2 stops"
ask t "events" '^events 1234114$'
ask t "release" '^released$'
ask t "hooked 1" '^hooked 1$'
check_not_applied "$pid" "$H"

# ulp killed (ULP_FAULT, docs/reliability.md) with hooks still owed: the
# runtime runs them on its next call, before anything else.
killed_at() {
	RC=0
	env ULP_FAULT="$1" "$ULP" trigger -p "$pid" "${@:2}" "$H" >/dev/null 2>&1 </dev/null || RC=$?
	log "ULP_FAULT=$1 ulp trigger ${*:2} -> exit $RC"
	[ $RC = 137 ] || fail "ulp was not killed at $1"
	assert_alive t
}

step "ulp killed after the load: the next trigger runs the owed post_unpatch first"
ask t forget '^forgot$'
killed_at stop
ask t "events" '^events 1$'
trigger_ok "$pid" "$H"
ask t "events" '^events 1412$'
ask t "hooked 1" '^hooked 8$'

step "ulp killed right after a revert's last write: the next trigger runs post_unpatch first"
killed_at write:3 --revert
ask t "events" '^events 14123$'
ask t "hooked 1" '^hooked 1$'
check_not_applied "$pid" "$H"
ask t forget '^forgot$'
trigger_ok "$pid" "$H"
ask t "events" '^events 412$'
revert_ok "$pid" "$H"
ask t "events" '^events 41234$'

target_stop t
log "PASS"
