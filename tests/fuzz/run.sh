#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh [SECONDS] [TARGET...] - build the libFuzzer targets with clang and
# run each one for SECONDS (default 30) on a copy of its seed corpus,
# tests/fuzz/corpus/TARGET/; targets: description, container (default:
# both, one after the other).  Exits 1 on the first crash, sanitizer
# report, leak, timeout or out-of-memory; the input that caused it is kept
# as $FUZZ_BUILD_DIR/artifacts/TARGET-crash-* (reproduce: pass that file
# to $FUZZ_BUILD_DIR/fuzz-TARGET).  The inputs a run discovers are thrown
# away: the corpus in the tree stays small and reviewed.
#
# run.sh --check - exit 0 when clang here can build a libFuzzer target.
#
# Environment: CLANG (default clang), FUZZ_BUILD_DIR (default build-fuzz
# at the top of the tree).  The main build uses gcc, which has no
# libFuzzer: the few sources the targets need are compiled here directly.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
clang=${CLANG:-clang}
out=${FUZZ_BUILD_DIR:-$top/build-fuzz}
sanitize=-fsanitize=fuzzer,address,undefined

if [ "${1:-}" = --check ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n ? 0 : 0; }' >"$tmp/probe.c"
	"$clang" "$sanitize" "$tmp/probe.c" -o "$tmp/probe"
	exit 0
fi

seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(description container)
case $seconds in
'' | *[!0-9]*)
	echo "usage: run.sh [SECONDS] [description|container]..." >&2
	exit 2
	;;
esac

# The library code each target links, as the programs link it (see
# packer/meson.build), and the project's compile flags.
declare -A sources=(
	[description]="packer/description.c packer/diag.c"
	[container]="packer/container.c packer/sha256.c"
)
cflags=(-std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing -g -O1 -Wall -Wextra
	"$sanitize" -fno-sanitize-recover=all -I"$top")

# build TARGET - $out/fuzz-TARGET.  -Werror for the fuzz target only:
# the main build (gcc, -Werror) owns the warnings of the library code,
# and clang's extra ones there are shown, not fatal.
build() {
	local objs=() s
	mkdir -p "$out/$1"
	"$clang" "${cflags[@]}" -Werror -c "$here/fuzz-$1.c" -o "$out/$1/fuzz-$1.o"
	for s in ${sources[$1]}; do
		"$clang" "${cflags[@]}" -c "$top/$s" -o "$out/$1/$(basename "$s" .c).o"
		objs+=("$out/$1/$(basename "$s" .c).o")
	done
	"$clang" "$sanitize" "$out/$1/fuzz-$1.o" "${objs[@]}" -o "$out/fuzz-$1"
}

mkdir -p "$out/artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for t in "${targets[@]}"; do
	[ -n "${sources[$t]:-}" ] || {
		echo "run.sh: no fuzz target '$t'; the targets are: ${!sources[*]}" >&2
		exit 2
	}
	build "$t"

	mkdir "$work/$t"
	cp "$here/corpus/$t/"* "$work/$t/"
	log=$out/fuzz-$t.log
	echo "fuzz-$t: ${seconds}s on $(ls "$work/$t" | wc -l) seeds (log: $log)"
	# -timeout: an input that takes 10 s is a hang, not a slow case.
	if ! "$out/fuzz-$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" "$work/$t" >"$log" 2>&1; then
		tail -n 60 "$log" >&2
		echo "fuzz-$t: FAILED; the input is in $out/artifacts/ (run $out/fuzz-$t FILE to see it again)" >&2
		exit 1
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	echo "fuzz-$t: ok, ${runs:-?} inputs in ${seconds}s, $cov, $(ls "$work/$t" | wc -l) in the corpus after"
done
