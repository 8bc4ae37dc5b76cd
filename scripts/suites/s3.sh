#!/usr/bin/env bash
# S3: the blob-store tests against a real local S3-compatible server. Installs moto (server
# mode) into tests/s3/.venv, starts it on a free loopback port, creates the bucket, runs the
# S3-backed Rust tests (the blob store's behaviour tests and the API tests over two instances)
# with CERIA_TEST_S3 and the AWS variables pointing at it, then `ceria demo` on PostgreSQL and
# this S3 server together (inside scripts/suites/postgres.sh -- …, which starts and stops the
# cluster), and stops the server.
# Prints `s3: N passed, N failed`; exits non-zero on any failure.
# Environment: CARGO_TARGET_DIR (as cargo).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=../lib/cargo-summary.sh
. "$root/scripts/lib/cargo-summary.sh"
here="$root/tests/s3"

fail() { echo "s3: setup failed: $*" >&2; echo "s3: 0 passed, 1 failed"; exit 1; }

if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv" || fail "python3 -m venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" \
  || fail "pip install"

port="$("$here/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')" \
  || fail "free port"
log="$(mktemp)"
"$here/.venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log"' EXIT

export CERIA_TEST_S3="http://127.0.0.1:$port"
export CERIA_TEST_S3_BUCKET=ceria-test
export AWS_ENDPOINT_URL="$CERIA_TEST_S3"
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=ceria-test
export AWS_SECRET_ACCESS_KEY=ceria-test
# Tests that need CERIA_TEST_S3 skip without it, except in this suite under CI=true.
export CERIA_TEST_SUITES="${CERIA_TEST_SUITES:-} s3"

ready=""
for _ in $(seq 1 100); do
  if "$here/.venv/bin/python" - <<'PY' 2>/dev/null
import os, boto3
boto3.client("s3", endpoint_url=os.environ["CERIA_TEST_S3"]).create_bucket(
    Bucket=os.environ["CERIA_TEST_S3_BUCKET"])
PY
  then ready=1; break; fi
  sleep 0.2
done
[ -n "$ready" ] || { cat "$log" >&2; fail "moto_server did not start on $CERIA_TEST_S3"; }

out="$(mktemp)"
status=0
cargo test -p ceria-server --lib store::blobs 2>&1 | tee "$out" || status=1
cargo test -p ceria-server --test blob_stores 2>&1 | tee -a "$out" || status=1
# The issue's "done when": the demo story on PostgreSQL and S3 at once.
"$root/scripts/suites/postgres.sh" -- \
  cargo test -p ceria-cli --test demo the_demo_runs_on_postgresql_and_s3 2>&1 | tee -a "$out" \
  || status=1
cargo_summary s3 "$status" "$out"
[ "$status" -eq 0 ]
