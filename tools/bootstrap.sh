#!/usr/bin/env bash
# Installs exactly the Debian packages that the build, the tests and the demo need (chromium for the console's browser
# tests), and the npm packages of the local OpenID provider, the console's UI build and the browser tests (install_npm).
# Idempotent: packages already installed are skipped, and nothing runs apt or npm when all are present.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)

# npm ci in DIR (a path under the repository) only when its node_modules is older than its lock file (npm ci writes
# node_modules/.package-lock.json). Pinned by each package-lock.json:
#   tools/idp               the local OpenID provider (oidc-provider)
#   services/console/web    the console's UI build tools and libraries (esbuild, TypeScript, Preact, uPlot)
#   tests/browser           Playwright and axe-core for the console's tests in Debian's chromium
install_npm() {
  local dir=$ROOT/$1
  local stamp=$dir/node_modules/.package-lock.json
  if [[ -f $stamp && ! $dir/package-lock.json -nt $stamp ]]; then
    echo "bootstrap: $1 node_modules current"
    return
  fi
  echo "bootstrap: npm ci in $1"
  npm ci --omit=dev --no-audit --no-fund --prefix "$dir"
}
install_all_npm() {
  install_npm tools/idp
  install_npm services/console/web
  install_npm tests/browser
}

PACKAGES=(
  g++ cmake make pkg-config ccache git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev libsqlite3-dev sqlite3 libabsl-dev libssl-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev prometheus-cpp-dev
  libcurl4-openssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev postgresql libcjose-dev libjansson-dev libcpp-httplib-dev
  kcat python3 python3-icalendar python3-cryptography curl procps openssl
  nodejs npm chromium fonts-dejavu-core
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
  install_all_npm
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
install_all_npm
