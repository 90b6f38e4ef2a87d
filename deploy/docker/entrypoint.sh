#!/bin/sh
# Container entrypoint: recovery-entrypoint <service> [extra flags...]
# Renders the service's example configuration (${WEBHOOK_URL}, ${CONFIG_DIR} and
# ${SOURCE_DIR} as tools/stack.sh does) and execs the service binary. Every other flag
# comes from RECOVERY_* environment variables, which every service reads.
set -eu
service=${1:?usage: recovery-entrypoint intake|escalation|action_plan|follow_up|audit|console}
shift
case $service in
  intake | escalation | audit | console) binary=recovery-$service ;;
  action_plan) binary=recovery-action-plan ;;
  follow_up) binary=recovery-follow-up ;;
  srctl) exec srctl "$@" ;;
  *) echo "recovery-entrypoint: unknown service '$service'" >&2; exit 2 ;;
esac
# The first directory holding <service>.yaml wins: an override (a mounted ConfigMap in
# Kubernetes), which is the whole --config file, else the example baked into the image: its
# file (/etc/recovery/config) followed by its resources (/etc/recovery/resources), imported on
# the first start. After that the database holds the configuration: change it with
# `srctl config apply -f DIR` or the Configuration API (README, Configuration as state).
src=/etc/recovery/config
resources=${RECOVERY_RESOURCES_DIR:-/etc/recovery/resources}
for dir in ${RECOVERY_CONFIG_OVERRIDE_DIR:-} ${RECOVERY_CONFIG_DIR:-/etc/recovery/config}; do
  if [ -f "$dir/$service.yaml" ]; then src=$dir; break; fi
done
if [ -n "${RECOVERY_CONFIG_OVERRIDE_DIR:-}" ] && [ "$src" = "$RECOVERY_CONFIG_OVERRIDE_DIR" ]; then resources=""; fi
if [ -z "${RECOVERY_CONFIG:-}" ]; then
  parts=""
  [ -f "$src/$service.yaml" ] && parts="$src/$service.yaml"
  [ -n "$resources" ] && [ -f "$resources/$service.yaml" ] && parts="$parts $resources/$service.yaml"
  if [ -n "$parts" ]; then
    out=${TMPDIR:-/tmp}/recovery-config
    mkdir -p "$out"
    # shellcheck disable=SC2086 # $parts is a list of paths without spaces
    cat $parts | sed -e "s|\${WEBHOOK_URL}|${WEBHOOK_URL:-http://webhook.invalid}|g" \
        -e "s|\${CONFIG_DIR}|$src|g" -e "s|\${SOURCE_DIR}|$src|g" >"$out/$service.yaml"
    RECOVERY_CONFIG=$out/$service.yaml
    export RECOVERY_CONFIG
  fi
fi
# The access configuration (identity provider, directory, tokens, limits): the same file for
# every service, with ${ISSUER} from OIDC_ISSUER and ${TLS_DIR} from RECOVERY_TLS_DIR.
if [ -z "${RECOVERY_AUTH_CONFIG:-}" ] && [ -f "$src/access.yaml" ]; then
  out=${TMPDIR:-/tmp}/recovery-config
  mkdir -p "$out"
  sed -e "s|\${ISSUER}|${OIDC_ISSUER:-https://idp.invalid}|g" -e "s|\${TLS_DIR}|${RECOVERY_TLS_DIR:-/etc/recovery/tls}|g" \
      "$src/access.yaml" >"$out/access.yaml"
  RECOVERY_AUTH_CONFIG=$out/access.yaml
  export RECOVERY_AUTH_CONFIG
fi
exec "$binary" "$@"
