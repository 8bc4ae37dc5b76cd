#!/usr/bin/env bash
# Browser: the staff web console in a real browser. Installs Debian's chromium (apt-get) if
# missing, Playwright for Python and Pillow into tests/browser/.venv (pip; Playwright never
# downloads a browser here: the tests launch /usr/bin/chromium), axe-core into
# tests/browser/node_modules (npm), builds `ceria` (debug) and runs tests/browser (pytest)
# against `ceria serve` on loopback. Screenshots of every page go to
# $CARGO_TARGET_DIR/browser-screenshots. Prints `browser: N passed, N failed`.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
here="$root/tests/browser"
target="${CARGO_TARGET_DIR:-$root/target}"

fail() { echo "browser: setup failed: $*" >&2; echo "browser: 0 passed, 1 failed"; exit 1; }

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "browser: installing chromium (Debian package)"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq || fail "apt-get update"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null \
    || fail "apt-get install chromium"
fi
command -v npm >/dev/null || fail "npm is missing (Debian package npm)"

cargo build --quiet -p ceria-cli --bin ceria || fail "cargo build ceria"

if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv" || fail "python3 -m venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" \
  || fail "pip install"
(cd "$here" && npm install --silent --no-audit --no-fund) || fail "npm install axe-core"

shots="$target/browser-screenshots"
rm -rf "$shots" && mkdir -p "$shots"
results="$(mktemp)"
CERIA_BIN="$target/debug/ceria" CHROMIUM="$chromium" SCREENSHOTS="$shots" \
  AXE_JS="$here/node_modules/axe-core/axe.min.js" \
  "$here/.venv/bin/python" -m pytest -q -p no:cacheprovider "$here" --junitxml="$results"
status=$?
line="$(grep -m1 '<testsuite ' "$results" 2>/dev/null)"
get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$line" | head -n 1; }
tests="$(get tests)"; failures="$(get failures)"; errors="$(get errors)"; skipped="$(get skipped)"
failed=$(( ${failures:-0} + ${errors:-0} ))
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
passed=$(( ${tests:-0} - ${failures:-0} - ${errors:-0} - ${skipped:-0} ))
[ "$passed" -lt 0 ] && passed=0
rm -f "$results"
echo "browser: screenshots in $shots"
echo "browser: $passed passed, $failed failed"
[ "$status" -eq 0 ]
