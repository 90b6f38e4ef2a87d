#!/usr/bin/env bash
# Installs exactly the Debian packages that the build, the tests and the demo need.
# Idempotent: packages already installed are skipped, and nothing runs apt when all are present.
set -euo pipefail

PACKAGES=(
  g++ cmake make pkg-config ccache git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev libsqlite3-dev sqlite3 libabsl-dev libssl-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev prometheus-cpp-dev
  libcurl4-openssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev postgresql libcjose-dev libjansson-dev
  kcat python3 curl procps
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
