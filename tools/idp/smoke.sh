#!/usr/bin/env bash
# Smoke test of the local OpenID provider: TLS, discovery, JWKS, device-flow and client-credentials tokens, rotation.
# Usage: tools/idp/smoke.sh   (needs node, npm ci done in tools/idp, openssl, curl, python3)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d)
PID=""
cleanup() {
  if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "smoke: FAIL: $*" >&2
  if [[ -f $WORK/idp.log ]]; then sed 's/^/  idp.log: /' "$WORK/idp.log" >&2; fi
  exit 1
}
step() { echo "smoke: $*"; }

[[ -d $HERE/node_modules/oidc-provider ]] || npm ci --omit=dev --no-audit --no-fund --prefix "$HERE" >/dev/null

"$ROOT/tools/make_certs.sh" "$WORK/tls" >/dev/null
CA=$WORK/tls/ca.pem
KEYS=$WORK/idp-keys.json
SECRET=$WORK/monitoring-secret

start_idp() {
  rm -f "$WORK/port"
  node "$HERE/server.mjs" --port 0 --port-file "$WORK/port" --accounts "$HERE/accounts.json" \
    --tls-cert "$WORK/tls/server.pem" --tls-key "$WORK/tls/server-key.pem" \
    --keys-file "$KEYS" --monitoring-secret-file "$SECRET" >>"$WORK/idp.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do
    [[ -s $WORK/port ]] && break
    kill -0 "$PID" 2>/dev/null || fail "the provider exited"
    sleep 0.1
  done
  [[ -s $WORK/port ]] || fail "no port file after 10 s"
  ISSUER="https://127.0.0.1:$(cat "$WORK/port")"
}

stop_idp() {
  kill "$PID"
  wait "$PID" || true
  PID=""
}

# kids: the JWKS's "alg:kid" entries, one a line, in order.
kids() { curl -fsS --cacert "$CA" "$ISSUER/jwks" | python3 -c '
import json, sys
for k in json.load(sys.stdin)["keys"]:
    assert "d" not in k and "p" not in k, "private key material in the JWKS"
    print(k["alg"] + ":" + k["kid"])'; }

# check_token TOKEN_JSON JWKS_KIDS EXPECTATIONS...: decodes the access token and asserts header and claims.
# Expectations are python expressions over h (header), p (payload), kids (list of "alg:kid").
check_token() {
  local token_json=$1 jwks=$2
  shift 2
  python3 - "$token_json" "$jwks" "$ISSUER" "$@" <<'EOF'
import base64, json, sys
token_json, jwks, issuer, *checks = sys.argv[1:]
def part(s):
    return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
h, p = (part(x) for x in json.loads(token_json)["access_token"].split(".")[:2])
kids = jwks.split()
base = ['p["iss"] == issuer', 'p["aud"] == "urn:recovery:api"', 'h["alg"] == "ES256"', 'h["typ"] == "at+jwt"',
        '"ES256:" + h["kid"] in kids', 'p["exp"] > p["iat"]']
for check in base + checks:
    if not eval(check):
        sys.exit(f"assertion failed: {check}\n  header {h}\n  payload {p}\n  jwks {kids}")
EOF
}

token() { node "$HERE/token.mjs" --issuer "$ISSUER" --ca "$CA" "$@"; }

step "starting the provider over TLS"
start_idp
DISCOVERY=$(curl -fsS --cacert "$CA" "$ISSUER/.well-known/openid-configuration") || fail "discovery"
python3 - "$DISCOVERY" "$ISSUER" <<'EOF' || fail "discovery document"
import json, sys
d, issuer = json.loads(sys.argv[1]), sys.argv[2]
assert d["issuer"] == issuer, d["issuer"]
assert d["jwks_uri"] == issuer + "/jwks"
for g in ("urn:ietf:params:oauth:grant-type:device_code", "client_credentials", "refresh_token"):
    assert g in d["grant_types_supported"], g
assert d["device_authorization_endpoint"].startswith(issuer)
EOF
if curl -fsS "http://127.0.0.1:${ISSUER##*:}/jwks" >/dev/null 2>&1; then fail "plain HTTP answered on the TLS port"; fi
JWKS1=$(kids)
[[ $(grep -c '^ES256:' <<<"$JWKS1") == 1 && $(grep -c '^RS256:' <<<"$JWKS1") == 1 ]] || fail "JWKS: $JWKS1"
OLD_KID=$(grep -m1 '^ES256:' <<<"$JWKS1")

step "device flow for lee"
LEE=$(token --login lee --password demo) || fail "token for lee"
check_token "$LEE" "$JWKS1" 'p["sub"] == "lee"' 'p["email"] == "lee@demo.example"' '"case-managers" in p["groups"]' \
  '"responders" in p["groups"]' 'p["client_id"] == "srctl"' 'p["exp"] - p["iat"] == 600' || fail "lee's token"
python3 -c 'import json, sys; d = json.loads(sys.argv[1]); assert d["refresh_token"] and d["token_type"] == "Bearer"' \
  "$LEE" ||
  fail "no refresh token for the device flow"
RT=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["refresh_token"])' "$LEE")
REFRESHED=$(token --refresh-token "$RT") || fail "refresh"
check_token "$REFRESHED" "$JWKS1" 'p["sub"] == "lee"' '"case-managers" in p["groups"]' || fail "refreshed token"

step "refusals: wrong password, unknown account"
if token --login lee --password wrong >/dev/null 2>&1; then fail "wrong password accepted"; fi
if token --login nobody --password demo >/dev/null 2>&1; then fail "unknown account accepted"; fi

step "client credentials for monitoring"
MON=$(token --client-credentials --client monitoring --secret-file "$SECRET") || fail "client credentials"
check_token "$MON" "$JWKS1" 'p["sub"] == "monitoring"' 'p["client_id"] == "monitoring"' '"groups" not in p' ||
  fail "monitoring's token"
echo wrong >"$WORK/wrong-secret"
if token --client-credentials --client monitoring --secret-file "$WORK/wrong-secret" >/dev/null 2>&1; then
  fail "a wrong client secret was accepted"
fi

step "rotation picked up on SIGHUP (same port)"
NEW_KID=ES256:$(node "$HERE/server.mjs" rotate-keys --keys-file "$KEYS")
kill -HUP "$PID"
for _ in $(seq 50); do
  [[ $(kids | head -1) == "$NEW_KID" ]] && break
  sleep 0.1
done
JWKS2=$(kids)
[[ $(head -1 <<<"$JWKS2") == "$NEW_KID" ]] || fail "new kid $NEW_KID not first after SIGHUP: $JWKS2"
grep -qx "$OLD_KID" <<<"$JWKS2" || fail "old kid $OLD_KID gone after SIGHUP"
SAM=$(token --login sam) || fail "token for sam after rotation"
check_token "$SAM" "$JWKS2" 'p["sub"] == "sam"' "\"ES256:\" + h[\"kid\"] == \"$NEW_KID\"" ||
  fail "not signed with the new key"

step "restart keeps the keys"
stop_idp
start_idp
JWKS3=$(kids)
[[ $JWKS3 == "$JWKS2" ]] || fail "keys changed across the restart: $JWKS2 -> $JWKS3"
MIA=$(token --login mia) || fail "token for mia after restart"
check_token "$MIA" "$JWKS3" 'p["sub"] == "mia"' '"admins" in p["groups"]' "\"ES256:\" + h[\"kid\"] == \"$NEW_KID\"" ||
  fail "mia's token after restart"
stop_idp
echo "smoke: OK"
