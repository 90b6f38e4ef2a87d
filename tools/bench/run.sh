#!/usr/bin/env bash
# Builds the benchmark targets (RelWithDebInfo) and runs every benchmark; writes
# tools/bench/results/latest.md and latest.json. Usage: tools/bench/run.sh [name...]
# (names: store timers outbox intake intake-auth intake-pg audit audit-merkle event-signing escalation escalation-slow console; default all). BUILD_DIR defaults to ./build.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
OUT="$ROOT/tools/bench/results"
JOBS="${JOBS:-2}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/recovery-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build "$BUILD_DIR" -j"$JOBS" --target recovery_bench || exit 1

BENCHES=("$@")
[ ${#BENCHES[@]} -eq 0 ] && BENCHES=(store timers outbox intake intake-auth intake-pg audit audit-merkle event-signing escalation escalation-slow console)
export BENCH_RESULTS="$WORK/results.jsonl"
: >"$BENCH_RESULTS"
: >"$WORK/not_measured"
B="$BUILD_DIR/tools/bench"
status=0

run() {  # name command...
  local name=$1; shift
  echo "== $name: $*" >&2
  local t0=$SECONDS
  if ! "$@"; then
    echo "$name: FAILED (see output above)" >>"$WORK/not_measured"
    status=1
  fi
  echo "== $name took $((SECONDS - t0)) s" >&2
}

for b in "${BENCHES[@]}"; do
  case "$b" in
    store) run store "$B/recovery-bench-store-micro" --benchmark_out="$WORK/gbench.json" --benchmark_out_format=json ;;
    timers) run timers "$B/recovery-bench-timers" --dir "$WORK/timers" --count 1000000 ;;
    outbox)
      "$BUILD_DIR/tools/dev_broker/recovery-dev-broker" --bootstrap-file "$WORK/broker.addr" >/dev/null 2>"$WORK/broker.log" &
      broker=$!
      for _ in $(seq 100); do [ -s "$WORK/broker.addr" ] && break; sleep 0.1; done
      run outbox "$B/recovery-bench-outbox" --brokers "$(cat "$WORK/broker.addr")" --dir "$WORK/outbox" --events 20000
      kill "$broker"; wait "$broker" 2>/dev/null ;;
    intake) run intake "$B/recovery-bench-scenarios" intake --concurrency 16 --seconds 5 ;;
    intake-auth) run intake-auth "$B/recovery-bench-scenarios" intake-auth --concurrency 16 --seconds 5 ;;
    intake-pg)
      if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        run intake-pg "$B/recovery-bench-scenarios" intake-pg --concurrency 16 --seconds 5
      else
        echo "intake-pg: PostgreSQL server binaries not installed (/usr/lib/postgresql/*/bin)" >>"$WORK/not_measured"
      fi ;;
    audit) run audit "$B/recovery-bench-scenarios" audit --events "${AUDIT_EVENTS:-100000}" --partitions 16 ;;
    audit-merkle) run audit-merkle "$B/recovery-bench-audit-merkle" --dir "$WORK/audit-merkle" --records 1000000 ;;
    event-signing) run event-signing "$B/recovery-bench-event-signing" --dir "$WORK/event-signing" --events 20000 ;;
    escalation)
      if [ -x "$BUILD_DIR/services/escalation/recovery-escalation" ]; then
        run escalation "$B/recovery-bench-scenarios" escalation --cases 2000 --rate 100 --open 10000 --burst 5000
      else
        echo "e2e + escalation: recovery-escalation not built" >>"$WORK/not_measured"
      fi ;;
    escalation-slow)
      if [ -x "$BUILD_DIR/services/escalation/recovery-escalation" ]; then
        run escalation-slow "$B/recovery-bench-scenarios" escalation-slow --cases 500 --rate 100 --slow-ms 1000
      else
        echo "escalation-slow: recovery-escalation not built" >>"$WORK/not_measured"
      fi ;;
    console)
      # The real local stack (tools/stack.sh): needs the identity provider's node_modules.
      if [ ! -x "$B/recovery-bench-console" ]; then
        echo "console: recovery-bench-console not built (recovery-console missing)" >>"$WORK/not_measured"
      elif [ ! -d "$ROOT/tools/idp/node_modules" ]; then
        echo "console: tools/idp/node_modules missing (npm ci --omit=dev --prefix tools/idp)" >>"$WORK/not_measured"
      else
        run console "$B/recovery-bench-console" --escalations 1000 --screens 100 --clients 200 --rate 100 --seconds 10
      fi ;;
    *) echo "unknown benchmark $b" >&2; exit 2 ;;
  esac
done

python3 "$ROOT/tools/bench/report.py" "$BENCH_RESULTS" "$OUT" "$WORK/not_measured" "$WORK/gbench.json"
exit $status
