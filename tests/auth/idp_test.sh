#!/usr/bin/env bash
# The services against the real local identity provider (tools/idp, oidc-provider) over TLS:
# srctl login (the device flow, approved as a person would in a browser), tokens verified
# with keys from the provider's discovery document and JWKS, a key rotation at the provider
# picked up without restarting the service, a client-credentials integration, and the
# provider going away while its cached keys keep working.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD_DIR:?BUILD_DIR}
D=$(mktemp -d "${TMPDIR:-/tmp}/recovery-idp-XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$D"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$D"/*.log; do echo "--- $f"; tail -n 20 "$f"; done >&2; exit 1; }
wait_file() { for _ in $(seq 1 300); do [[ -s $1 ]] && return 0; sleep 0.1; done; fail "timed out waiting for $1"; }
[[ -d $ROOT/tools/idp/node_modules ]] || fail "tools/idp/node_modules missing: run tools/bootstrap.sh"

"$ROOT/tools/make_certs.sh" "$D/tls" >"$D/certs.log" 2>&1
start_idp() {
  node "$ROOT/tools/idp/server.mjs" --port "${1:-0}" --port-file "$D/idp.port" --accounts "$ROOT/tools/idp/accounts.json" \
    --tls-cert "$D/tls/server.pem" --tls-key "$D/tls/server-key.pem" --keys-file "$D/keys.json" \
    --monitoring-secret-file "$D/monitoring-secret" >>"$D/idp.log" 2>&1 &
  IDP=$!
  PIDS+=("$IDP")
  wait_file "$D/idp.port"
}
start_idp
PORT=$(cat "$D/idp.port")
ISSUER="https://127.0.0.1:$PORT"
# The stack's access configuration, with keys fetched again on any unknown kid (min_refetch
# 0s) so that the rotation below needs no waiting.
sed -e "s|\${ISSUER}|$ISSUER|g" -e "s|\${TLS_DIR}|$D/tls|g" -e "s|^  audience: .*|&\n  min_refetch: 0s|" \
  "$ROOT/deploy/config/access.yaml" >"$D/access.yaml"
"$BUILD/services/intake/recovery-intake" --listen 127.0.0.1:0 --port-file "$D/intake.port" --db "$D/intake.db" \
  --auth-config "$D/access.yaml" --tls-cert "$D/tls/server.pem" --tls-key "$D/tls/server-key.pem" \
  --log-level info >"$D/intake.log" 2>&1 &
PIDS+=("$!")
wait_file "$D/intake.port"
INTAKE="127.0.0.1:$(cat "$D/intake.port")"
export RECOVERY_TLS_CA=$D/tls/ca.pem RECOVERY_TOKEN_CACHE=$D/token.json RECOVERY_ISSUER=$ISSUER
srctl() { "$BUILD/tools/srctl/srctl" --intake "$INTAKE" "$@"; }
token() { node "$ROOT/tools/idp/token.mjs" --issuer "$ISSUER" --ca "$D/tls/ca.pem" "$@" |
          python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }

echo "1. no credential: refused"
if out=$(srctl cases 2>&1); then fail "cases without a token succeeded: $out"; fi
grep -q UNAUTHENTICATED <<<"$out" || fail "expected UNAUTHENTICATED, got: $out"

echo "2. srctl login: the device flow, approved as lee"
srctl login --user lee 2>"$D/login.err" &
LOGIN=$!
for _ in $(seq 1 100); do grep -q 'shows the code' "$D/login.err" && break; sleep 0.1; done
CODE=$(sed -n 's/.*shows the code \([A-Z-]*\).*/\1/p' "$D/login.err")
[[ -n $CODE ]] || fail "srctl login printed no user code: $(cat "$D/login.err")"
node "$ROOT/tools/idp/approve.mjs" --issuer "$ISSUER" --ca "$D/tls/ca.pem" --user-code "$CODE" --login lee \
  --password demo >"$D/approve.log" 2>&1 || fail "approve failed"
wait "$LOGIN" || fail "srctl login failed: $(cat "$D/login.err")"
[[ $(stat -c %a "$D/token.json") == 600 ]] || fail "the token cache is not 0600"
srctl whoami | grep -q 'lee' || fail "whoami does not show lee"
srctl cases >/dev/null || fail "lee's cached token was refused"

echo "3. the actor of a write is the signed-in person"
OPEN=$(srctl --json open --client-id acme --client-name Acme --channel phone --category missed_deadline \
  --severity P2 --summary "Report late" --emotion frustrated --email jo@acme.example) || fail "open as lee failed"
CASE=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["case"]["id"])' "$OPEN")
OPENED_BY=$(srctl --json show "$CASE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["case"]["opened_by"])')
[[ $OPENED_BY == person:lee ]] || fail "opened_by is '$OPENED_BY', not person:lee"

echo "4. a client-credentials integration opens cases but may not read them"
MON=$(token --client-credentials --client monitoring --secret-file "$D/monitoring-secret") || fail "client credentials"
RECOVERY_TOKEN=$MON srctl open --client-id acme --client-name Acme --channel other --category missed_deadline \
  --severity P3 --summary "Monitor alert" --emotion calm --email ops@acme.example >/dev/null || fail "integration open"
if RECOVERY_TOKEN=$MON srctl cases >/dev/null 2>&1; then fail "the integration listed cases"; fi

echo "5. key rotation at the provider: a token with the new kid verifies, no service restart"
OLD=$(token --login mia --password demo)
NEWKID=$(node "$ROOT/tools/idp/server.mjs" rotate-keys --keys-file "$D/keys.json" | tail -n 1)
kill -HUP "$IDP"
for _ in $(seq 1 50); do grep -q 'reloaded' "$D/idp.log" && break; sleep 0.1; done
NEW=$(token --login mia --password demo)
python3 - "$NEW" "$NEWKID" <<'PY' || fail "the new token is not signed with the new key"
import base64, json, sys
h = sys.argv[1].split(".")[0]; h += "=" * (-len(h) % 4)
kid = json.loads(base64.urlsafe_b64decode(h))["kid"]
assert kid in sys.argv[2], (kid, sys.argv[2])
PY
RECOVERY_TOKEN=$NEW srctl cases >/dev/null || fail "the token with the rotated key was refused"
RECOVERY_TOKEN=$OLD srctl cases >/dev/null || fail "a token signed before the rotation was refused"

echo "6. the provider goes away: cached keys keep working"
kill "$IDP"; wait "$IDP" 2>/dev/null || true
RECOVERY_TOKEN=$NEW srctl cases >/dev/null || fail "refused while the provider is down"
echo "OK"
