#!/usr/bin/env bash
# Build everything and run the whole test suite: unit, packer golden tests
# and integration tests (real processes patched under ptrace), then the
# tools again under ASan+UBSan.  Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/install-deps

# Formatting is part of the build's contract (.clang-format).
if git rev-parse --git-dir >/dev/null 2>&1; then
	unformatted=$(git ls-files '*.c' '*.h' | while read -r f; do
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
	if [ -n "$unformatted" ]; then
		echo "not clang-formatted (run clang-format -i on them):" $unformatted >&2
		exit 1
	fi
fi

build=${BUILD_DIR:-build}
asan=${ASAN_BUILD_DIR:-build-asan}

[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=debugoptimized
ninja -C "$build"
meson test -C "$build" --print-errorlogs --num-processes 2 --no-suite soak

# The sanitizer build covers the tools (ulp, the packer, unit tests).
# libpulp.so and the test targets come from the normal build: a runtime
# built with ASan cannot be preloaded into programs built without it.
[ -f "$asan/build.ninja" ] || meson setup "$asan" --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
ninja -C "$asan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
meson test -C "$asan" --no-rebuild --print-errorlogs --suite unit
ULP="$PWD/$asan/ulp/ulp" meson test -C "$build" --no-rebuild --print-errorlogs --suite integration --suite packer
