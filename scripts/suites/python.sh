#!/usr/bin/env bash
# Python: builds libceria_ffi and ceria-server (debug), generates the Python bindings into the
# package tests/python/generated/ceria_bindings (with the library beside them, where the
# generated loader looks), installs pytest into tests/python/.venv, and runs tests/python.
# Prints `python: N passed, N failed`; exits non-zero on any failure.
# Environment: CARGO_TARGET_DIR (as cargo).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=../lib/pytest-summary.sh
. "$root/scripts/lib/pytest-summary.sh"
here="$root/tests/python"

fail() { echo "python: setup failed: $*" >&2; echo "python: 0 passed, 1 failed"; exit 1; }

cargo build --quiet -p ceria-cli --bin ceria-server || fail "cargo build ceria-server"
pkg="$here/generated/ceria_bindings"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
lib="$(scripts/gen-bindings --lang python --out "$out" | tail -n 1)" || fail "gen-bindings"
rm -rf "$pkg" && mkdir -p "$pkg" || fail "mkdir $pkg"
cp "$out"/python/*.py "$pkg/" && cp "$lib" "$pkg/" || fail "copy bindings"
# The generated modules import each other relatively (`from . import ceria_core`).
printf '"""Generated UniFFI bindings of the Ceria core (scripts/suites/python.sh)."""\n' >"$pkg/__init__.py"
bin_dir="$(dirname "$lib")"

if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv" || fail "python3 -m venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" \
  || fail "pip install"

results="$(mktemp)"
CERIA_SERVER="$bin_dir/ceria-server" CERIA_FIXTURES="$root/core/tests/fixtures/services" \
  "$here/.venv/bin/python" -m pytest -q -p no:cacheprovider "$here" --junitxml="$results"
status=$?
pytest_summary python "$status" "$results"
[ "$status" -eq 0 ]
