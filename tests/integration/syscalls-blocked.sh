#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# syscalls-blocked.sh - threads blocked in system calls while the process
# is patched and unpatched again and again (syscall-prog): read, a mutex
# and a condition variable (futex), epoll_wait, poll, accept, waitpid and
# sigwaitinfo, none with a timeout, and threads looping on 300 ms sleeps
# (nanosleep, clock_nanosleep, poll with a timeout, an absolute
# pthread_cond_timedwait).  Every trigger stops every thread, and one of
# them is borrowed for the load.
#
# None of the blocked calls may return before the test releases them (a
# spurious EINTR would), and each must then return what it waits for.  No
# sleep may fail, end early or last more than 300 + 100 ms.
. "$(dirname "$0")/lib.sh"
setup

CYCLES=${SYSCALL_CYCLES:-6}
P=$(container plain)
target_start t "$TARGETS/syscall-prog"
pid=$(tpid t)

# line - the target's next line, in LINE.
line() {
	read_line t $(($(now_ms) + EXPECT_TIMEOUT * 1000)) || fail "no answer from the target"
}

declare -A tid
send t tids
while line; do
	[ "$LINE" = end ] && break
	tid[${LINE% *}]=${LINE#* }
done
# x86_64 numbers: read 0, futex 202, epoll_wait 232 / epoll_pwait 281,
# poll 7 / ppoll 271, accept 43 / accept4 288, wait4 61, rt_sigtimedwait 128
wait_syscall "$pid" "${tid[read]}" "0" "in read"
wait_syscall "$pid" "${tid[mutex]}" "202" "in a futex (mutex)"
wait_syscall "$pid" "${tid[cond]}" "202" "in a futex (condition)"
wait_syscall "$pid" "${tid[epoll]}" "232|281" "in epoll_wait"
wait_syscall "$pid" "${tid[poll]}" "7|271" "in poll"
wait_syscall "$pid" "${tid[accept]}" "43|288" "in accept"
wait_syscall "$pid" "${tid[waitpid]}" "61" "in waitpid"
wait_syscall "$pid" "${tid[sigwait]}" "128" "in sigwaitinfo"

for ((i = 1; i <= CYCLES; i++)); do
	step "cycle $i: apply and revert with every thread blocked"
	trigger_ok "$pid" "$P"
	ask t "plain $i" "^plain $((i + 1000))\$"
	revert_ok "$pid" "$P"
	ask t "plain $i" "^plain $((i + 1))\$"
	send t results
	for ((k = 0; k < 8; k++)); do
		line
		[[ $LINE == *" pending" ]] || fail "a blocked call returned on its own: '$LINE'"
	done
done

step "released, each blocked call returns what it waited for"
ask t release '^released$'
for ((try = 0; try < 100; try++)); do
	send t results
	pending=0
	for ((k = 0; k < 8; k++)); do
		line
		[[ $LINE == *" pending" ]] && pending=1
		[[ $LINE == *" BAD "* ]] && fail "$LINE"
	done
	((pending)) || break
	sleep 0.05
done
((pending == 0)) || fail "a released call did not return"

step "no sleep failed, ended early or overslept"
send t timed
for ((k = 0; k < 4; k++)); do
	line
	log "$LINE"
	[[ $LINE =~ ^([a-z_-]+)\ n\ ([0-9]+)\ eintr\ ([0-9]+)\ errors\ ([0-9]+)\ min_us\ ([0-9]+)\ max_us\ ([0-9]+)$ ]] ||
		fail "bad line '$LINE'"
	name=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]} eintr=${BASH_REMATCH[3]} errors=${BASH_REMATCH[4]}
	min=${BASH_REMATCH[5]} max=${BASH_REMATCH[6]}
	((n > 0)) || fail "$name: no sleep finished"
	((eintr == 0)) || fail "$name: $eintr sleeps failed with EINTR"
	((errors == 0)) || fail "$name: $errors sleeps failed"
	((min >= 300000)) || fail "$name: a sleep ended after $min us, before its 300 ms"
	((max <= 400000)) || fail "$name: a sleep lasted $max us (restarted from zero?)"
done
