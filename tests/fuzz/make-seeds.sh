#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-seeds.sh BUILD_DIR - write the seed corpus of the fuzz targets into
# tests/fuzz/corpus/ from the tree and from a finished build.  Run by hand
# when the formats change, then review and commit the result; the suite
# only reads the corpus.
#
#   description/  the .dsc files of the tree: accepted and refused ones
#   container/    containers written by BUILD_DIR's real packer:
#                 - a few of the test suite's (about 19 KB each): one
#                   function, references of every kind, hooks, a
#                   non-PIE executable target, CET, comments, ten functions;
#                 - four of the same patches linked without page alignment,
#                   without debug information (2-3 KB): the fuzzer mutates
#                   those faster.
# Regression inputs (regress-*) are added by hand and kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: make-seeds.sh BUILD_DIR}" && pwd)
ulp=$build/ulp/ulp
targets=$build/tests/targets
corpus=$here/corpus

mkdir -p "$corpus/description" "$corpus/container"
rm -f "$corpus"/description/[!r]* "$corpus"/container/[!r]*

for f in "$top"/tests/targets/*.dsc; do cp "$f" "$corpus/description/targets-$(basename "$f")"; done
for f in "$top"/tests/unit/packer/cases/*.dsc; do cp "$f" "$corpus/description/cases-$(basename "$f")"; done
cp "$top/examples/calendar-fix.dsc" "$corpus/description/example-calendar-fix.dsc"

for name in plain reach hooks exe cet; do
	cp "$targets/${name}_livepatch.so" "$corpus/container/$name"
done
cp "$build/examples/calendar_fix_livepatch.so" "$corpus/container/calendar"
cp "$build/tests/bench/wide_10_livepatch.so" "$corpus/container/wide-10"

# small NAME PATCH_SOURCE DSC TARGET - a container of a minimal patch object.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small() {
	gcc -shared -fPIC -O2 -nostdlib -g0 -fno-asynchronous-unwind-tables \
		-Wl,-z,noseparate-code -Wl,-z,max-page-size=16 -Wl,-z,common-page-size=16 -Wl,-z,norelro \
		-Wl,--hash-style=gnu -Wl,--build-id=none -I"$top/tests/targets" -o "$tmp/lib$1.so" "$2"
	"$ulp" packer "$3" -l "$tmp/lib$1.so" -t "$4" -o "$corpus/container/small-$1" >/dev/null
}
small plain "$top/tests/targets/patch-plain.c" "$top/tests/targets/plain.dsc" "$targets/libplain.so"
small reach "$top/tests/targets/patch-reach.c" "$top/tests/targets/reach.dsc" "$targets/libreach.so"
small hooks "$top/tests/targets/patch-hooks.c" "$top/tests/targets/hooks.dsc" "$targets/libreach.so"
small exe "$top/tests/targets/patch-exe.c" "$top/tests/targets/exe.dsc" "$targets/target-prog"

chmod 644 "$corpus"/*/*
du -sh --apparent-size "$corpus"
