#!/usr/bin/env bash
# Installs dependencies (tools/bootstrap.sh) and builds everything into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/bootstrap.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
