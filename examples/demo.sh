#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine (as root): install what is
# missing, build, and run the bundled example end to end: start a daemon,
# show its bug, patch it live, show the fix, revert it.
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/install-deps
build=${BUILD_DIR:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=debugoptimized >/dev/null
ninja -C "$build" >/dev/null
exec examples/run-example.sh "$build"
