#!/usr/bin/env bash
# The local stack: the dev broker, a webhook receiver, the identity provider, all five
# services and the web console on loopback, SQLite files under a data directory. The services start with deploy/config (what only a
# file may set); their resources (people, schedules, policies, SLAs, ...) go in afterwards
# through the Configuration API: srctl config apply -f deploy/resources, as Mia (an admin).
#
#   tools/stack.sh run   [--data DIR] [--manual-clock RFC3339] [--calendar]   start, wait for Ctrl-C, stop
#   tools/stack.sh start [--data DIR] [--manual-clock RFC3339] [--calendar]   start in the background
#   tools/stack.sh stop  [--data DIR]                            stop a background stack
#   tools/stack.sh restart SERVICE [--data DIR]                  SIGKILL one service and start it again
#   tools/stack.sh token PERSON [--data DIR]                     print an access token for a demo account
#
# Service addresses land in DIR/stack/<service>.addr, which srctl reads
# (RECOVERY_STACK_DIR=DIR/stack). Logs are in DIR/logs. --calendar turns on escalation's iCal
# feeds (--calendar-listen, HTTPS with the stack's certificate); their base URL lands in
# DIR/stack/calendar.url (srctl calendar create prints the path to add to it). The console's
# URL lands in DIR/stack/console.url (HTTPS on a free port; CONSOLE_PORT=8443 fixes it;
# CONSOLE_STATIC_DIR serves another build of the UI; CONSOLE_HTTP_THREADS, default 256, bounds
# the open live-update streams).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
cmd=${1:-run}; shift || true
SERVICE=""
if [[ $cmd == restart ]]; then SERVICE=${1:?restart needs a service name}; shift; fi
if [[ $cmd == token ]]; then SERVICE=${1:?token needs a person}; shift; fi
DATA=$ROOT/data
CLOCK=""
CALENDAR=""
while (($#)); do
  case $1 in
    --data) DATA=$2; shift 2 ;;
    --manual-clock) CLOCK=$2; shift 2 ;;
    --calendar) CALENDAR=1; shift ;;
    *) echo "stack.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
# Absolute: the services and the provider run from other directories and read files under it.
mkdir -p "$DATA" && DATA=$(cd "$DATA" && pwd)
SERVICES=(intake escalation action_plan follow_up audit)
binary() {
  case $1 in
    action_plan) echo "$BUILD/services/action_plan/recovery-action-plan" ;;
    follow_up) echo "$BUILD/services/follow_up/recovery-follow-up" ;;
    *) echo "$BUILD/services/$1/recovery-$1" ;;
  esac
}

wait_file() {  # path, seconds
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    [[ -s $1 ]] && return 0
    sleep 0.05
  done
  echo "stack.sh: timed out waiting for $1" >&2
  return 1
}

stop() {
  local pidfile
  for pidfile in "$DATA"/pids/*.pid; do
    [[ -e $pidfile ]] || continue
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
  done
  for pidfile in "$DATA"/pids/*.pid; do
    [[ -e $pidfile ]] || continue
    local pid; pid=$(cat "$pidfile")
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

# launch <service> <manual clock or "">: starts one service in the background.
launch() {
  local s=$1 clock=$2 brokers
  if [[ $s == console ]]; then launch_console; return; fi
  brokers=$(cat "$DATA/stack/broker.addr")
  rm -f "$DATA/stack/$s.port" "$DATA/stack/$s.addr"
  local args=(--listen 127.0.0.1:0 --port-file "$DATA/stack/$s.port" --db "$DATA/db/$s.db"
              --kafka-brokers "$brokers" --topic recovery.case-events --log-level info)
  [[ -e $DATA/config/$s.yaml ]] && args+=(--config "$DATA/config/$s.yaml")
  # Every call authenticated (the local oidc-provider's tokens), every port TLS.
  args+=(--auth-config "$DATA/config/access.yaml" --tls-cert "$DATA/tls/server.pem" --tls-key "$DATA/tls/server-key.pem")
  [[ -n $clock ]] && args+=(--manual-clock "$clock")
  # Reads of case data are written, aggregated, every 2 s here (60 s by default).
  args+=(--access-log-window 2s)
  # audit signs a checkpoint of its Merkle log every 25 records or 10 s (services/audit/README.md).
  [[ $s == audit ]] && args+=(--audit-signing-key "$DATA/audit-signing.pem" --audit-checkpoint-every 25 --audit-checkpoint-interval 10s)
  # Every event is signed by its producer and verified by every consumer; unsigned ones are
  # rejected (services/common/README.md, Signed events).
  args+=(--event-signing-key "$DATA/event-keys/${s//_/-}.pem" --event-verify-keys "$DATA/event-keys/verify.yaml")
  # Pages carry a signed acknowledge link to the console (/ack/<token>).
  [[ $s == escalation ]] && args+=(--ack-link-key-file "$DATA/ack-link.key" --console-url "https://127.0.0.1:$(cat "$DATA/console-port")")
  if [[ $s == escalation && -e $DATA/calendar-on ]]; then
    rm -f "$DATA/stack/calendar.port"
    args+=(--calendar-listen 127.0.0.1:0 --calendar-port-file "$DATA/stack/calendar.port")
  fi
  "$(binary "$s")" "${args[@]}" >>"$DATA/logs/$s.log" 2>&1 &
  echo $! >"$DATA/pids/$s.pid"
}

# The console: the web UI and its JSON API over the services (started after them: it needs
# their addresses), signing people in at the identity provider as its `console` client.
# CONSOLE_HTTP_THREADS (default 256): its HTTP workers; each open live-update stream holds
# one, so this bounds the browsers it serves at once (tools/bench/run.sh console opens 200).
launch_console() {
  local backends="" s
  for s in "${SERVICES[@]}"; do backends+="${backends:+,}${s//_/-}=$(cat "$DATA/stack/$s.addr")"; done
  rm -f "$DATA/stack/console.port" "$DATA/stack/console.http-port"
  "$BUILD/services/console/recovery-console" --listen 127.0.0.1:0 --port-file "$DATA/stack/console.port" \
      --db "$DATA/db/console.db" --kafka-brokers "$(cat "$DATA/stack/broker.addr")" --topic recovery.case-events \
      --log-level info --auth-config "$DATA/config/access.yaml" --event-verify-keys "$DATA/event-keys/verify.yaml" \
      --access-log-window 2s \
      --tls-cert "$DATA/tls/server.pem" --tls-key "$DATA/tls/server-key.pem" \
      --console-http-listen "127.0.0.1:$(cat "$DATA/console-port")" --console-port-file "$DATA/stack/console.http-port" \
      --oidc-client-secret-file "$DATA/console-secret" --backends "$backends" --backend-ca-file "$DATA/tls/ca.pem" \
      --console-http-threads "${CONSOLE_HTTP_THREADS:-256}" ${CONSOLE_STATIC_DIR:+--console-static-dir "$CONSOLE_STATIC_DIR"} \
      >>"$DATA/logs/console.log" 2>&1 &
  echo $! >"$DATA/pids/console.pid"
}

wait_service() {
  if [[ $1 == console ]]; then
    wait_file "$DATA/stack/console.http-port" 30
    echo "https://127.0.0.1:$(cat "$DATA/stack/console.http-port")" >"$DATA/stack/console.url"
    return
  fi
  wait_file "$DATA/stack/$1.port" 30
  echo "127.0.0.1:$(cat "$DATA/stack/$1.port")" >"$DATA/stack/$1.addr"
  if [[ $1 == escalation && -e $DATA/calendar-on ]]; then
    wait_file "$DATA/stack/calendar.port" 30
    echo "https://127.0.0.1:$(cat "$DATA/stack/calendar.port")" >"$DATA/stack/calendar.url"
  fi
}

# token <person>: an access token for that demo account from the stack's identity provider
# (the OAuth device flow, approved headlessly by tools/idp/token.mjs), cached for 5 minutes.
token() {
  local who=$1 file="$DATA/tokens/$1"
  mkdir -p "$DATA/tokens"
  if [[ -s $file && $(($(date +%s) - $(stat -c %Y "$file"))) -lt 300 ]]; then cat "$file"; return; fi
  NODE_EXTRA_CA_CERTS="$DATA/tls/ca.pem" node "$ROOT/tools/idp/token.mjs" --issuer "$(cat "$DATA/stack/issuer")" \
      --ca "$DATA/tls/ca.pem" --login "$who" --password demo |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' >"$file.tmp"
  mv "$file.tmp" "$file"
  cat "$file"
}

# restart <service>: SIGKILL it (a crash, not a drain) and start it again on the same
# database. On a simulated clock it resumes at the time the other services show.
restart() {
  local s=$1 clock=""
  [[ -e $DATA/pids/$s.pid ]] && kill -KILL "$(cat "$DATA/pids/$s.pid")" 2>/dev/null || true
  rm -f "$DATA/stack/$s.addr"
  if [[ -s $DATA/clock && $s != console ]]; then
    local other
    for other in "${SERVICES[@]}"; do
      [[ $other == "$s" ]] && continue
      clock=$(RECOVERY_STACK_DIR="$DATA/stack" RECOVERY_TOKEN=$(token mia) "$BUILD/tools/srctl/srctl" --json clock show 2>/dev/null |
              python3 -c 'import sys,re; m=re.search(r"clock: (\S+)", sys.stdin.read()); print(m.group(1) if m else "")' || true)
      [[ -n $clock ]] && break
    done
    [[ -n $clock ]] || clock=$(cat "$DATA/clock")
  fi
  launch "$s" "$clock"
  wait_service "$s"
  echo "restarted $s (pid $(cat "$DATA/pids/$s.pid"))${clock:+ at $clock}"
}

start() {
  stop
  rm -rf "$DATA/stack" "$DATA/config" "$DATA/resources" "$DATA/tokens"
  mkdir -p "$DATA"/{stack,logs,pids,db,config,resources,tokens}
  # A throwaway CA and certificates for this stack (tools/make_certs.sh, openssl).
  [[ -s $DATA/tls/ca.pem ]] || "$ROOT/tools/make_certs.sh" "$DATA/tls" >"$DATA/logs/certs.log" 2>&1
  export RECOVERY_WEBHOOK_SECRET=${RECOVERY_WEBHOOK_SECRET:-demo-secret}

  "$BUILD/tools/dev_broker/recovery-dev-broker" --topic recovery.case-events --partitions 4 \
      --bootstrap-file "$DATA/stack/broker.addr" >"$DATA/logs/broker.log" 2>&1 &
  echo $! >"$DATA/pids/broker.pid"
  # On a manual clock the signatures' timestamps are the stack's time, not the receiver's.
  python3 "$ROOT/tools/webhook_receiver.py" --port-file "$DATA/stack/webhook.port" \
      --out "$DATA/webhook-pages.jsonl" ${CLOCK:+--replay-window 0} >"$DATA/logs/webhook.log" 2>&1 &
  echo $! >"$DATA/pids/webhook.pid"
  # The console's port comes first: the identity provider must know its redirect URI.
  local console_port=${CONSOLE_PORT:-}
  [[ -n $console_port ]] || console_port=$(python3 -c \
      'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "$console_port" >"$DATA/console-port"
  # The key escalation signs acknowledge links with (32 random bytes, kept across restarts).
  [[ -s $DATA/ack-link.key ]] || (umask 077; openssl rand 32 >"$DATA/ack-link.key")
  # Each producer's event signing key and the public keys every consumer verifies with, kept
  # across restarts of the stack.
  mkdir -p "$DATA/event-keys"
  local producer
  {
    echo "# The public keys events are verified with (services/common/README.md, Signed events)."
    echo "require: true"
    echo "keys:"
    for producer in intake escalation action-plan follow-up audit; do
      [[ -s $DATA/event-keys/$producer.pem ]] ||
        (umask 077; openssl genpkey -algorithm ed25519 -out "$DATA/event-keys/$producer.pem")
      openssl pkey -in "$DATA/event-keys/$producer.pem" -pubout -out "$DATA/event-keys/$producer.pub.pem"
      printf '  - id: %s\n    public_key_file: %s.pub.pem\n' "$producer" "$producer"
    done
  } >"$DATA/event-keys/verify.yaml"
  # audit's checkpoint signing key (services/audit/README.md), kept across restarts of the stack.
  [[ -s $DATA/audit-signing.pem ]] || (umask 077; openssl genpkey -algorithm ed25519 -out "$DATA/audit-signing.pem")
  # The identity provider: a real oidc-provider (tools/idp) with the demo's people.
  node "$ROOT/tools/idp/server.mjs" --port-file "$DATA/stack/idp.port" --accounts "$ROOT/tools/idp/accounts.json" \
      --tls-cert "$DATA/tls/server.pem" --tls-key "$DATA/tls/server-key.pem" --keys-file "$DATA/idp-keys.json" \
      --monitoring-secret-file "$DATA/monitoring-secret" --console-secret-file "$DATA/console-secret" \
      --console-redirect-uri "https://127.0.0.1:$console_port/auth/callback" >"$DATA/logs/idp.log" 2>&1 &
  echo $! >"$DATA/pids/idp.pid"
  wait_file "$DATA/stack/broker.addr" 20
  wait_file "$DATA/stack/idp.port" 30
  local issuer
  issuer="https://127.0.0.1:$(cat "$DATA/stack/idp.port")"
  echo "$issuer" >"$DATA/stack/issuer"
  wait_file "$DATA/stack/webhook.port" 20
  local brokers webhook
  brokers=$(cat "$DATA/stack/broker.addr")
  webhook="http://127.0.0.1:$(cat "$DATA/stack/webhook.port")"
  # deploy/config: the --config files (what only a file may set); deploy/resources: the
  # resources, applied through the Configuration API below.
  local dir f
  for dir in config resources; do
    for f in "$ROOT/deploy/$dir"/*.yaml; do
      sed -e "s|\${WEBHOOK_URL}|$webhook|g" -e "s|\${CONFIG_DIR}|$ROOT/deploy/config|g" \
          -e "s|\${SOURCE_DIR}|$ROOT|g" -e "s|\${ISSUER}|$issuer|g" -e "s|\${TLS_DIR}|$DATA/tls|g" \
          "$f" >"$DATA/$dir/$(basename "$f")"
    done
  done
  echo "$CLOCK" >"$DATA/clock"
  if [[ -n $CALENDAR ]]; then touch "$DATA/calendar-on"; else rm -f "$DATA/calendar-on"; fi
  for s in "${SERVICES[@]}"; do launch "$s" "$CLOCK"; done
  for s in "${SERVICES[@]}"; do wait_service "$s"; done
  launch console ""
  wait_service console
  # The configuration goes in as Mia (an admin) would put it: srctl config apply, one version
  # and one ConfigChanged event per resource, actor person:mia. Applying again on a stack that
  # has it changes nothing.
  if ! RECOVERY_STACK_DIR="$DATA/stack" RECOVERY_TOKEN=$(token mia) "$BUILD/tools/srctl/srctl" config apply \
      -f "$DATA/resources" --reason "local stack: the example configuration (deploy/resources)" \
      >"$DATA/logs/config-apply.log" 2>&1; then
    cat "$DATA/logs/config-apply.log" >&2
    echo "stack.sh: srctl config apply -f $DATA/resources failed" >&2
    return 1
  fi
  echo "stack up: broker $brokers, webhook $webhook, identity provider $issuer, services (TLS):"
  for s in "${SERVICES[@]}"; do echo "  $s $(cat "$DATA/stack/$s.addr")"; done
  echo "configuration applied with srctl config apply -f $DATA/resources:"
  sed 's/^/  /' "$DATA/logs/config-apply.log" | grep -v '^  [+~-] ' || true
  [[ -s $DATA/stack/calendar.url ]] && echo "  calendar feeds $(cat "$DATA/stack/calendar.url")/calendar/<token>.ics"
  echo "console: $(cat "$DATA/stack/console.url") (sign in as lee, mia or vic; password demo)"
  echo "srctl: export RECOVERY_STACK_DIR=$DATA/stack; $BUILD/tools/srctl/srctl login --user mia (password demo)"
  echo "       or: export RECOVERY_TOKEN=\$($ROOT/tools/stack.sh token mia --data $DATA); srctl cases"
}

case $cmd in
  start) start ;;
  restart) restart "$SERVICE" ;;
  token) token "$SERVICE" ;;
  stop) stop ;;
  run)
    trap 'echo; echo "stopping stack"; stop; exit 0' INT TERM
    start
    echo "running; Ctrl-C stops everything"
    tail -n0 -F "$DATA/logs/webhook.log" &
    wait
    ;;
  *) echo "usage: stack.sh run|start|stop [--data DIR] [--manual-clock T] [--calendar]" >&2; exit 2 ;;
esac
