#!/usr/bin/env bash
# Fuzzing: builds the cargo-fuzz targets of fuzz/ once (nightly, libFuzzer, debug assertions
# and overflow checks on) and runs each one for a bounded time from its committed corpus
# (fuzz/corpus/<target>/, never written to: new inputs go to a scratch directory). A crash,
# a timeout or running out of memory fails the suite and prints the reproducer.
# Installs the nightly toolchain and cargo-fuzz when they are missing (CI starts bare).
# Prints one line per target (runs, executions per second, coverage) and
# `fuzz: N passed, N failed`.
# Environment: CERIA_FUZZ_SECONDS (per target, default 15), CERIA_FUZZ_TARGETS (names,
# default all), CERIA_FUZZ_SANITIZER (none, the default, or address; see fuzz/README.md),
# CERIA_FUZZ_TARGET_DIR (build directory, default fuzz/target).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
started=$SECONDS

seconds="${CERIA_FUZZ_SECONDS:-15}"
sanitizer="${CERIA_FUZZ_SANITIZER:-none}"
read -r -a targets <<<"${CERIA_FUZZ_TARGETS:-catalog_json rule_expr nik_kk form_json tus_headers protocol_json}"
# Its own build directory: the fuzz build's flags differ from the workspace's, and sharing
# one directory would rebuild both every time.
export CARGO_TARGET_DIR="${CERIA_FUZZ_TARGET_DIR:-$root/fuzz/target}"

fail() { echo "fuzz: setup failed: $*" >&2; echo "fuzz: 0 passed, 1 failed"; exit 1; }

if ! cargo +nightly --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal || fail "rustup toolchain install nightly"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked || fail "cargo install cargo-fuzz"
fi

cargo fmt --manifest-path fuzz/Cargo.toml -- --check || fail "fuzz/ is not formatted (cargo fmt --manifest-path fuzz/Cargo.toml)"

build_started=$SECONDS
cargo +nightly fuzz build --sanitizer "$sanitizer" --debug-assertions || fail "cargo fuzz build"
echo "fuzz: build took $((SECONDS - build_started)) s"
host="$(rustc +nightly -vV | sed -n 's/^host: //p')"
bin_dir="$CARGO_TARGET_DIR/$host/release"

# One of libFuzzer's final statistics (`-print_final_stats=1`) from the log of a run.
final_stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for target in "${targets[@]}"; do
  scratch="$work/$target/corpus" artifacts="$work/$target/artifacts/" log="$work/$target/log"
  mkdir -p "$scratch" "$artifacts"
  dict=()
  case "$target" in
    rule_expr) dict=(-dict=fuzz/dict/rule_expr.dict) ;;
    *_json) dict=(-dict=fuzz/dict/json.dict) ;;
  esac
  # The scratch directory comes first: libFuzzer writes new inputs into the first one only.
  "$bin_dir/$target" "$scratch" "fuzz/corpus/$target" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" >"$log" 2>&1
  status=$?
  runs="$(final_stat number_of_executed_units)"
  rate="$(final_stat average_exec_per_sec)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)"
  new="$(find "$scratch" -type f | wc -l)"
  echo "fuzz: $target: ${runs:-?} runs in ${seconds} s, ${rate:-?} exec/s, ${cov:-cov: ?}, $new new inputs"
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    continue
  fi
  failed=$((failed + 1))
  echo "fuzz: $target FAILED (libFuzzer exit status $status). Its report:" >&2
  grep -v '^#[0-9]' "$log" | tail -n 40 >&2
  mkdir -p "fuzz/artifacts/$target"
  for input in "$artifacts"*; do
    [ -f "$input" ] || continue
    cp "$input" "fuzz/artifacts/$target/"
    echo "fuzz: reproducer fuzz/artifacts/$target/$(basename "$input"), base64:" >&2
    base64 -w 0 "$input" >&2
    echo >&2
    echo "fuzz: replay with: cargo +nightly fuzz run -s $sanitizer -a $target fuzz/artifacts/$target/$(basename "$input")" >&2
  done
done

echo "fuzz: whole suite took $((SECONDS - started)) s"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
