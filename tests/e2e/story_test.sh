#!/usr/bin/env bash
# Runs the demo story (tools/demo.sh) in a throwaway data directory with topic checks on.
# $1 (optional): services to SIGKILL and restart at given steps, e.g. "intake:4 audit:14".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$(mktemp -d "${TMPDIR:-/tmp}/recovery-e2e-XXXXXX")
trap 'rm -rf "$DATA"' EXIT
export DEMO_DATA=$DATA DEMO_CHECK=1 DEMO_KILL=${1:-}
"$ROOT/tools/demo.sh" || { echo "--- service logs ---"; tail -n 30 "$DATA"/logs/*.log; exit 1; }
