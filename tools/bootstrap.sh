#!/usr/bin/env bash
# Installs exactly the Debian packages that the build, the tests and the demo need, the local OpenID provider's npm
# packages (tools/idp) and the console web UI's build tools and libraries (services/console/web), each pinned by its
# package-lock.json.
# Idempotent: packages already installed are skipped, and nothing runs apt or npm when all are present.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)

# npm ci only when tools/idp/node_modules is older than the lock file (npm ci writes node_modules/.package-lock.json).
install_idp() {
  local idp=$ROOT/tools/idp
  local stamp=$idp/node_modules/.package-lock.json
  if [[ -f $stamp && ! $idp/package-lock.json -nt $stamp ]]; then
    echo "bootstrap: tools/idp node_modules current"
    return
  fi
  echo "bootstrap: npm ci in tools/idp"
  npm ci --omit=dev --no-audit --no-fund --prefix "$idp"
}

# The same for the console's web UI (esbuild, TypeScript, Preact, uPlot: all in its dependencies, so the build has them).
install_console_web() {
  local web=$ROOT/services/console/web
  local stamp=$web/node_modules/.package-lock.json
  if [[ -f $stamp && ! $web/package-lock.json -nt $stamp ]]; then
    echo "bootstrap: services/console/web node_modules current"
    return
  fi
  echo "bootstrap: npm ci in services/console/web"
  npm ci --omit=dev --no-audit --no-fund --prefix "$web"
}

PACKAGES=(
  g++ cmake make pkg-config ccache git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev libsqlite3-dev sqlite3 libabsl-dev libssl-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev prometheus-cpp-dev
  libcurl4-openssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev postgresql libcjose-dev libjansson-dev libcpp-httplib-dev
  kcat python3 python3-icalendar curl procps openssl
  nodejs npm
)

missing=()
for p in "${PACKAGES[@]}"; do
  # A node from elsewhere (NodeSource's nodejs bundles npm and conflicts with Debian's npm) counts as present.
  if [[ $p == nodejs && -x $(command -v node) ]] || [[ $p == npm && -x $(command -v npm) ]]; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#PACKAGES[@]} packages present"
  install_idp
  install_console_web
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
install_idp
install_console_web
