#!/usr/bin/env bash
# Static checks CI runs after the tests: formatting (clang-format with the repository's
# .clang-format) of every C++ file git tracks, a short clang-tidy list over the services
# and the common runtime (the checks in .clang-tidy; the tree passes them), and the type check
# of the console's web UI (tsc --noEmit, strict; its node_modules come from tools/bootstrap.sh). Installs
# clang-format and clang-tidy (Debian's, version 14) when missing. Needs a configured build
# (tools/build.sh) for compile_commands.json.
#   tools/lint.sh            every check
#   tools/lint.sh format     formatting only;  tools/lint.sh --fix  reformat in place
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
mode=${1:-all}

need=()
command -v clang-format >/dev/null || need+=(clang-format)
command -v clang-tidy >/dev/null || need+=(clang-tidy)
if ((${#need[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi

mapfile -t files < <(git ls-files '*.cc' '*.h')
if [[ $mode == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi

echo "lint: clang-format on ${#files[@]} files"
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "lint: formatting differs; run tools/lint.sh --fix" >&2
  exit 1
fi
[[ $mode == format ]] && exit 0

mapfile -t tidy < <(git ls-files 'services/*.cc')
echo "lint: clang-tidy on ${#tidy[@]} files"
# GCC-only warning flags in compile_commands.json are unknown to clang: ignore those.
log=$(mktemp)
tidy_status=0
printf '%s\n' "${tidy[@]}" |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$BUILD_DIR" --quiet --extra-arg=-Wno-unknown-warning-option \
    --warnings-as-errors='*' >"$log" 2>&1 || tidy_status=$?
grep -E 'error:|warning:' -A3 "$log" || true
rm -f "$log"
if ((tidy_status != 0)); then
  echo "lint: clang-tidy found problems (above)" >&2
  exit 1
fi

web=services/console/web
if [[ ! -x $web/node_modules/.bin/tsc ]]; then
  echo "lint: $web/node_modules missing; run tools/bootstrap.sh (npm ci --prefix $web)" >&2
  exit 1
fi
echo "lint: tsc --noEmit on $web"
if ! "$web/node_modules/.bin/tsc" --noEmit -p "$web"; then
  echo "lint: the web UI's type check failed (above)" >&2
  exit 1
fi
echo "lint: clean"
