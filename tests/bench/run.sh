#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - build the benchmark suite in a release build of its own and run
# it: tables on stdout, one JSON document in BUILD/bench.json.  Figures,
# not a test: the exit status is not 0 only when something could not be
# measured, never because a figure misses its target.
#
# Usage: tests/bench/run.sh [--quick] [--reps N] [SECTION...]
#   SECTION: pause, calls, fleet, idle (default: all); see
#   docs/performance.md.  BENCH_BUILD_DIR (default build-bench) is the
#   build directory; ULP=... and LIBPULP=... measure another ulp or runtime.
#
# The build is release (-O3) and without -Werror: it is for measuring; the
# normal build (tests/run.sh) compiles the same code with -Werror.
set -euo pipefail
cd "$(dirname "$0")/../.."
.ci/install-deps

build=${BENCH_BUILD_DIR:-build-bench}
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release
ninja -C "$build"

# ulp-bench kills what it started (by PID) when it ends or is interrupted;
# the fleet's processes also exit by themselves when it is gone.
exec "$build/tests/bench/ulp-bench" -o "$build/bench.json" "$@"
