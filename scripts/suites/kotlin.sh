#!/usr/bin/env bash
# Kotlin on the JVM: builds libceria_ffi and ceria-server (debug), generates the Kotlin
# bindings (android = false) into bindings/generated, then runs the Maven project tests/kotlin
# (JUnit 5 through Surefire; Maven fetches its own dependencies) against the library and real
# servers. Prints `kotlin: N passed, N failed, N skipped`; exits non-zero on any failure.
# Environment: CARGO_TARGET_DIR (as cargo), MAVEN_ARGS (extra Maven arguments).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
if [ -n "${CARGO_TARGET_DIR:-}" ]; then target="$(cd "$target" 2>/dev/null && pwd || echo "$target")"; fi

fail() { echo "kotlin: setup failed: $*" >&2; echo "kotlin: 0 passed, 1 failed, 0 skipped"; exit 1; }

command -v mvn >/dev/null || fail "mvn not found (Maven 3.8+ and JDK 17 are required)"
cargo build --quiet -p ceria-cli --bin ceria-server || fail "cargo build ceria-server"
scripts/gen-bindings --lang kotlin --out "$root/bindings/generated" >/dev/null || fail "gen-bindings"

reports="$root/tests/kotlin/target/surefire-reports"
rm -rf "$reports"
batch=(-B)
[ "${CI:-}" = true ] && batch+=(-ntp)
# shellcheck disable=SC2086 # MAVEN_ARGS is a list of extra arguments
mvn "${batch[@]}" -q -f tests/kotlin/pom.xml \
  -Drepo.root="$root" -Dceria.libdir="$target/debug" \
  ${MAVEN_ARGS:-} test
status=$?

# Surefire's XML reports hold the counts; sum them for the summary line.
tests=0 failures=0 errors=0 skipped=0
for xml in "$reports"/TEST-*.xml; do
  [ -e "$xml" ] || continue
  line="$(grep -m1 '<testsuite ' "$xml")"
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$line"; }
  tests=$((tests + $(get tests))); failures=$((failures + $(get failures)))
  errors=$((errors + $(get errors))); skipped=$((skipped + $(get skipped)))
done
failed=$((failures + errors))
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
passed=$((tests - failures - errors - skipped))
[ "$passed" -lt 0 ] && passed=0
echo "kotlin: $passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
