#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# man-synopsis.sh - `meson install` installs ulp(1) and libpulp(7), and the
# SYNOPSIS of ulp(1) has exactly the forms `ulp COMMAND --help` prints, for
# every command `ulp --help` lists, and no other.
#
# Usage: man-synopsis.sh BUILD_DIR ULP
set -u
build=$1 ulp=$2
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

dest=$(mktemp -d "${TMPDIR:-/tmp}/ulp-man.XXXXXX") || exit 1
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --destdir "$dest" >"$dest.log" 2>&1 ||
	{ cat "$dest.log" >&2; rm -f "$dest.log"; fail "meson install failed"; }
rm -f "$dest.log"
page1=$(find "$dest" -path '*/share/man/man1/ulp.1')
page7=$(find "$dest" -path '*/share/man/man7/libpulp.7')
[ -n "$page1" ] || fail "meson install did not install ulp.1 (is go-md2man installed? .ci/install-deps installs it)"
[ -n "$page7" ] || fail "meson install did not install libpulp.7"
grep -q '^\.TH LIBPULP 7' "$page7" || fail "libpulp.7 has no .TH LIBPULP 7 header"
grep -q '^\.SH ENVIRONMENT' "$page7" || fail "libpulp.7 has no ENVIRONMENT section"
grep -q '^\.TH ULP 1' "$page1" || fail "ulp.1 has no .TH ULP 1 header"

# The SYNOPSIS lines of the page, roff escapes undone.
man_forms=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$page1" | grep '^ulp ' | sed 's/\\-/-/g; s/\\\\/\\/g' | sort)
[ -n "$man_forms" ] || fail "ulp.1 has no 'ulp ...' lines in its SYNOPSIS"

# Every command's forms, as its --help prints them.
commands=$("$ulp" --help | sed -n '/^commands:/,/^$/p' | awk 'NF && $1 != "commands:" { print $1 }')
[ -n "$commands" ] || fail "'ulp --help' lists no commands"
help_forms=""
for c in $commands; do
	out=$("$ulp" "$c" --help) || fail "'ulp $c --help' exited $?"
	forms=$(sed -n 's/^usage: //p; s/^       \(ulp \)/\1/p' <<<"$out")
	[ -n "$forms" ] || fail "'ulp $c --help' prints no usage line"
	help_forms+="$forms"$'\n'
done
help_forms=$(sed '/^$/d' <<<"$help_forms" | sort)

if [ "$man_forms" != "$help_forms" ]; then
	diff <(printf '%s\n' "$help_forms") <(printf '%s\n' "$man_forms") | sed 's/^/  /' >&2
	fail "ulp(1) SYNOPSIS and the commands' --help differ ('<' --help, '>' the page)"
fi
printf '%s\n' "$man_forms" | sed 's/^/# /'
printf 'PASS: %d forms of %d commands agree\n' "$(wc -l <<<"$man_forms")" "$(wc -w <<<"$commands")"
