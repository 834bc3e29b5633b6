#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# debuggable.sh - a patched process stays debuggable.  Debuggers,
# profilers and unwinders find a process's objects through the dynamic
# loader's list and open them by the names recorded there, from their own
# process.  So after a patch is loaded every name must be a real file that
# another process can open: not "/proc/self/fd/N" or "/dev/fd/N", which
# would name one of the debugger's own descriptors (gdb then reads its own
# pipe and hangs).  When gdb is installed, it must also attach to the
# patched process and detach, within a time limit.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
target_start t "$TARGETS/target-prog"
pid=$(tpid t)

# names_ok - every name the loader lists is a regular file openable from here.
names_ok() {
	local n=0
	send t libs
	while expect t '^(lib .*|libs end)$' && [ "$EXPECT_LINE" != "libs end" ]; do
		local name=${EXPECT_LINE#lib }
		[[ $name == */* ]] || continue # linux-vdso.so.1: no file
		n=$((n + 1))
		case $name in
		/proc/self/* | /dev/fd/* | /proc/thread-self/*)
			fail "the loader lists '$name': a debugger opening it gets its own descriptor" ;;
		esac
		[ -f "$name" ] || fail "the loader lists '$name', which is not a file"
	done
	log "$n named objects, all openable"
}

step "before the patch"
names_ok
step "after the patch is loaded and applied"
trigger_ok "$pid" "$P"
ask t "plain 5" '^plain 1005$'
names_ok

if command -v gdb >/dev/null; then
	step "gdb attaches to the patched process and detaches"
	ULP_TIMEOUT=20 run_cmd setsid gdb -nx -q -batch -p "$pid" -ex 'info sharedlibrary' -ex detach
	[ $RC = 0 ] || fail "gdb could not attach and detach (exit $RC)"
	grep -q 'libplain' <<<"$OUT" || fail "gdb does not list libplain.so"
	ask t "plain 5" '^plain 1005$'
else
	log "gdb is not installed: the gdb part is not run"
fi

revert_ok "$pid" "$P"
ask t "plain 5" '^plain 6$'
target_stop t
log "PASS"
