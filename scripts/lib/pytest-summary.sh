# Sourced by the pytest suites (scripts/suites/python.sh, browser.sh):
# `pytest_summary NAME STATUS JUNIT_XML` prints `NAME: N passed, N failed` from pytest's JUnit
# report (a non-zero STATUS with no failed test counts as one failure) and removes the report.
pytest_summary() {
  local name="$1" status="$2" results="$3" line tests failures errors skipped failed passed
  line="$(grep -m1 '<testsuite ' "$results" 2>/dev/null)"
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$line" | head -n 1; }
  tests="$(get tests)"; failures="$(get failures)"; errors="$(get errors)"; skipped="$(get skipped)"
  failed=$(( ${failures:-0} + ${errors:-0} ))
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  passed=$(( ${tests:-0} - ${failures:-0} - ${errors:-0} - ${skipped:-0} ))
  [ "$passed" -lt 0 ] && passed=0
  rm -f "$results"
  echo "$name: $passed passed, $failed failed"
}
