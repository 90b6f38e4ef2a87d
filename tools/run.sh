#!/usr/bin/env bash
# The README's main command: bootstrap, build, start the local stack, play the demo story.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
exec tools/demo.sh "$@"
