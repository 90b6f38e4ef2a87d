#!/usr/bin/env bash
# The README's test command: bootstrap, build, run every test (unit, integration, e2e).
# Pass ctest arguments to narrow it, e.g. tools/test.sh -L unit.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
BUILD_DIR=${BUILD_DIR:-build}
cd "$BUILD_DIR"
# Integration tests start processes and brokers; two at a time fits a 2-core machine.
ctest --output-on-failure -j2 --timeout 600 "$@"
