#!/usr/bin/env bash
# PostgreSQL: the server's integration suite, the CLI tests, the two-instance tests and the
# SQLite -> PostgreSQL migration (tests/e2e) against a real PostgreSQL. Installs Debian's postgresql
# (apt-get) if missing, creates a throwaway cluster in a temporary directory owned by the
# `postgres` user (PostgreSQL refuses to run as root; when this script is not root it runs the
# cluster as the calling user), starts it on a random free port on 127.0.0.1 only (its socket
# in the temporary directory), with a superuser `ceria_test` and a random password, exports
# CERIA_TEST_POSTGRES_URL (the maintenance database `postgres`; the test harness creates and
# drops one database per server) and runs the tests as the calling user, never as `postgres`.
# The cluster is stopped and removed afterwards, also when tests fail or the script is stopped.
# Prints `postgres: N passed, N failed`; exits non-zero on any failure.
#
#   scripts/suites/postgres.sh                 # the tests
#   scripts/suites/postgres.sh -- CMD [ARG..]  # CMD instead, with the cluster (benchmarks,
#                                              # and the S3 suite's demo on PostgreSQL + S3)
#
# Environment: CARGO_TARGET_DIR (as cargo).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=../lib/cargo-summary.sh
. "$root/scripts/lib/cargo-summary.sh"

fail() { echo "postgres: setup failed: $*" >&2; echo "postgres: 0 passed, 1 failed"; exit 1; }

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

bindir="$(pg_bindir)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "postgres: installing postgresql (Debian package)"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  # The package would create and start a cluster of its own on port 5432; these tests need
  # none (the setting is read by postgresql-common's postinst).
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $sudo apt-get update -qq || fail "apt-get update"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o Dpkg::Options::=--force-confold \
    postgresql >/dev/null || fail "apt-get install postgresql"
  bindir="$(pg_bindir)"
  [ -n "$bindir" ] && [ -x "$bindir/initdb" ] || fail "initdb not found after installing postgresql"
fi

# PostgreSQL never runs as root: as root, the cluster belongs to `postgres`.
as_pg=()
tmp="$(mktemp -d)" || fail "mktemp"
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || fail "no postgres user (the postgresql package creates it)"
  as_pg=(runuser -u postgres --)
  chown postgres: "$tmp" || fail "chown $tmp"
fi
chmod 700 "$tmp"

cleanup() {
  if [ -f "$tmp/data/postmaster.pid" ]; then
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
printf '%s\n' "$password" >"$tmp/pwfile"
[ "${#as_pg[@]}" -gt 0 ] && chown postgres: "$tmp/pwfile"
"${as_pg[@]}" "$bindir/initdb" -D "$tmp/data" -U ceria_test --pwfile="$tmp/pwfile" \
  --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; fail "initdb"; }
rm -f "$tmp/pwfile"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')" \
  || fail "free port"
# Throwaway data: no fsync. Connections: every test server keeps a small pool, and tests run
# in parallel. CERIA_PG_OPTIONS adds server options (a benchmark's
# `-c shared_preload_libraries=pg_stat_statements`).
"${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$tmp \
      -c fsync=off -c full_page_writes=off -c max_connections=500 ${CERIA_PG_OPTIONS:-}" \
  start >/dev/null \
  || { cat "$tmp/server.log" >&2; fail "pg_ctl start"; }

export CERIA_TEST_POSTGRES_URL="postgres://ceria_test:$password@127.0.0.1:$port/postgres"
# Tests that need CERIA_TEST_POSTGRES_URL skip without it, except in this suite under CI=true.
export CERIA_TEST_SUITES="${CERIA_TEST_SUITES:-} postgres"
echo "postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

if [ "${1:-}" = "--" ]; then
  shift
  "$@"
  exit $?
fi

out="$(mktemp)"
status=0
# The whole server suite (the harness gives every test server its own database), the CLI
# (every `ceria serve` and `ceria admin` of a test gets one), two instances on one database,
# and the migration of a registry filled end to end.
cargo test -p ceria-server --tests 2>&1 | tee "$out" || status=1
cargo test -p ceria-cli --tests 2>&1 | tee -a "$out" || status=1
cargo test -p ceria-e2e --test instances --test migrate 2>&1 | tee -a "$out" || status=1
cargo_summary postgres "$status" "$out"
[ "$status" -eq 0 ]
