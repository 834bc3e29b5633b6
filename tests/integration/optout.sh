#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# optout.sh - the runtime's opt-outs, read from the environment at process
# start.  A target whose executable path matches LIBPULP_DISABLE_ON_PATH
# (the path, or a glob in a list), whose user matches
# LIBPULP_DISABLE_ON_USERS (name, glob or uid) or whose group matches
# LIBPULP_DISABLE_ON_GROUPS (gid or name) is SKIPPED by a trigger ("live
# patching is disabled"), apply and revert alike, and keeps answering with
# the old code; with lists that do not match, it is patched as usual.
. "$(dirname "$0")/lib.sh"
setup

P=$(container plain)
EXE=$(realpath "$TARGETS/target-prog")
USER_NAME=$(id -un)
USER_ID=$(id -u)
GROUP_ID=$(id -g)
GROUP_NAME=$(id -gn)

# start NAME VAR=VALUE - a target-prog with one opt-out variable set.
start() {
	target_start "$1" env "$2" "$TARGETS/target-prog"
	ask "$1" "plain 5" '^plain 6$'
}

# disabled NAME - skipped, apply and revert; old code; check: not applied.
disabled() {
	local pid
	pid=$(tpid "$1")
	trigger_skipped "$pid" "$P" "live patching is disabled in process $pid"
	ask "$1" "plain 5" '^plain 6$'
	check_not_applied "$pid" "$P"
	trigger_skipped "$pid" "$P" "disabled" --revert
	ask "$1" "plain 5" '^plain 6$'
}

# enabled NAME - applied and reverted as usual.
enabled() {
	patch_cycle "$1" "$P" "plain 5" '^plain 6$' '^plain 1005$'
}

step "LIBPULP_DISABLE_ON_PATH: the executable's path"
start p1 "LIBPULP_DISABLE_ON_PATH=$EXE"
disabled p1

step "LIBPULP_DISABLE_ON_PATH: a glob, second in the list"
start p2 "LIBPULP_DISABLE_ON_PATH=/no/such/dir/*:*/target-pro?"
disabled p2

step "LIBPULP_DISABLE_ON_PATH: globs that do not match"
start p3 "LIBPULP_DISABLE_ON_PATH=/no/such/dir/*:*/target-prog-not:target-prog"
enabled p3

step "LIBPULP_DISABLE_ON_USERS: our user name ($USER_NAME)"
start u1 "LIBPULP_DISABLE_ON_USERS=$USER_NAME"
disabled u1

step "LIBPULP_DISABLE_ON_USERS: our uid ($USER_ID), after another"
start u2 "LIBPULP_DISABLE_ON_USERS=no-such-user-$$:$USER_ID"
disabled u2

step "LIBPULP_DISABLE_ON_USERS: a glob matching our user name (${USER_NAME:0:2}*)"
start u4 "LIBPULP_DISABLE_ON_USERS=${USER_NAME:0:2}*"
disabled u4

step "LIBPULP_DISABLE_ON_USERS: other users"
start u3 "LIBPULP_DISABLE_ON_USERS=no-such-user-$$:$((USER_ID + 4242))"
enabled u3

step "LIBPULP_DISABLE_ON_GROUPS: our gid ($GROUP_ID)"
start g1 "LIBPULP_DISABLE_ON_GROUPS=$GROUP_ID"
disabled g1

step "LIBPULP_DISABLE_ON_GROUPS: our group name ($GROUP_NAME)"
start g3 "LIBPULP_DISABLE_ON_GROUPS=$GROUP_NAME"
disabled g3

step "LIBPULP_DISABLE_ON_GROUPS: another group"
start g2 "LIBPULP_DISABLE_ON_GROUPS=$((GROUP_ID + 4242))"
enabled g2

step "the disabled ones are still unchanged"
for x in p1 p2 u1 u2 u4 g1 g3; do
	ask $x "plain 7" '^plain 8$'
done
grep -q '^ERR' "$T"/*.transcript && fail "a target reported an error"
for x in p1 p2 p3 u1 u2 u3 u4 g1 g2 g3; do
	target_stop $x
done
log "PASS"
