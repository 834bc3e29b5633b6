# SPDX-License-Identifier: GPL-2.0-or-later
# restricted.sh - helpers for the tests of restricted targets: a process
# that dropped root (uid-change.sh).  Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/restricted.sh"

# require_root WHAT - skip (77) unless root: switching users needs it.
require_root() {
	[ "$(id -u)" = 0 ] || skip "needs root to $1"
}

# ring PID - the runtime's message ring of PID, in RING: a trigger refused
# before the process was touched leaves it as it was.
ring() {
	run_ulp messages -p "$1"
	[ $RC = 0 ] || fail "ulp messages -p $1 exited $RC"
	RING=$OUT
}
