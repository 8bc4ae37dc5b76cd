#!/usr/bin/env bash
# Conformance of ceria-server with independent clients, in one entry point:
#   - tuspy (PyPI): a whole upload with checksums, and an interrupted upload resumed;
#   - tus-js-client (npm) under Node: an aborted upload resumed from the server's offset;
#   - schemathesis (PyPI): a short seeded run against /v1/openapi.json (no 5xx, responses
#     conform to the document: status codes, content types, headers, schemas).
# Installs its own tools (pinned): a venv in .venv (requirements.txt) and `npm ci`
# (package-lock.json). Starts the server on a random loopback port with a temporary data
# directory and stops it at the end. Prints `conformance: N passed, N failed`; exits non-zero
# on any failure. Environment: CARGO_TARGET_DIR (as cargo), CONFORMANCE_MAX_EXAMPLES (20).
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
passed=0
failed=0
record() {
  if [ "$1" -eq 0 ]; then
    passed=$((passed + 1)); echo "ok: $2"
  else
    failed=$((failed + 1)); echo "FAILED: $2"
  fi
}
die() { echo "conformance: setup failed: $*" >&2; echo "conformance: $passed passed, $((failed + 1)) failed"; exit 1; }

# Tools.
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv" || die "python3 -m venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" \
  || die "pip install"
(cd "$here" && npm ci --no-audit --no-fund --silent) || die "npm ci"

# Server binary.
(cd "$root" && cargo build --quiet -p ceria-cli --bin ceria-server) || die "cargo build"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/ceria-server"
[ -x "$bin" ] || die "no binary at $bin"

data="$(mktemp -d)"
port="$("$here/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
log="$data/server.log"
password="Uji-Kesesuaian-Tus-Sawah-2026"
"$bin" --data "$data" admin create-user --role officer --username petugas.uji \
  --password "$password" >/dev/null || die "create officer"
RUST_LOG=warn "$bin" --data "$data" --listen "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$base/readyz" >/dev/null 2>&1 || { cat "$log"; die "server did not start"; }

py="$here/.venv/bin/python"
citizen="$("$py" "$here/accounts.py" "$base" 1305010101900001 "$password")" || die "citizen account"

"$py" "$here/tus_py.py" "$base" "$citizen" "$data"
record $? "tuspy upload and resume"

node "$here/tus_js.mjs" "$base" "$citizen" "$data"
record $? "tus-js-client upload and resume (Node)"

# Schemathesis: one pass as a citizen, one as an officer, so both sides of every role check
# are exercised. Seeded and bounded.
examples="${CONFORMANCE_MAX_EXAMPLES:-20}"
officer="$(curl -fsS -H 'content-type: application/json' \
  -d "{\"username\":\"petugas.uji\",\"password\":\"$password\"}" "$base/v1/sessions" \
  | "$py" -c 'import json,sys; print(json.load(sys.stdin)["token"])')" || die "officer login"
checks="not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
for who in citizen officer; do
  token="$citizen"; [ "$who" = officer ] && token="$officer"
  # Logout is left out: it would end the session the run authenticates with (the integration
  # tests cover it).
  # Run from the temporary directory: schemathesis keeps its example database in the cwd.
  (cd "$data" && PYTHONPATH="$here" SCHEMATHESIS_HOOKS=hooks "$here/.venv/bin/schemathesis" run "$base/v1/openapi.json" \
    --exclude-operation-id logout \
    --checks "$checks" --max-examples "$examples" --seed 20261129 \
    --header "Authorization: Bearer $token" --no-color \
    --suppress-health-check all --request-timeout 20 --phases examples,coverage,fuzzing)
  record $? "schemathesis against /v1/openapi.json as $who"
done

if grep -q "panicked" "$log"; then
  record 1 "server log free of panics"
else
  record 0 "server log free of panics"
fi

echo "conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
