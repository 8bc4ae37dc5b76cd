# Sourced by the suites that run cargo tests (scripts/suites/s3.sh, postgres.sh):
# `cargo_summary NAME STATUS OUTPUT` prints `NAME: N passed, N failed` from the `test result:`
# lines of cargo's output (a non-zero STATUS with no failed test counts as one failure) and
# removes the output file.
cargo_summary() {
  local name="$1" status="$2" out="$3" passed=0 failed=0 p f
  while read -r p f; do
    passed=$((passed + p)); failed=$((failed + f))
  done < <(sed -n 's/^test result: .* \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$out")
  rm -f "$out"
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  echo "$name: $passed passed, $failed failed"
}
