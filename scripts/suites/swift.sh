#!/usr/bin/env bash
# Swift: generation only (there is no Swift compiler on the CI machines). Builds libceria_ffi,
# generates the Swift bindings into a temporary directory and checks that every module has
# its source, C header and module map, and that the client and the error are declared.
# Prints `swift: N passed, N failed`; exits non-zero on any failure.
# Environment: CARGO_TARGET_DIR (as cargo).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

passed=0 failed=0
check() {
  if eval "$2"; then passed=$((passed + 1)); echo "ok: $1"
  else failed=$((failed + 1)); echo "FAILED: $1"; fi
}

check "gen-bindings --lang swift" 'scripts/gen-bindings --lang swift --out "$out" >/dev/null'
s="$out/swift"
for crate in ceria_ffi ceria_core; do
  check "$crate.swift and ${crate}FFI.h generated" '[ -s "$s/$crate.swift" ] && [ -s "$s/${crate}FFI.h" ]'
  check "$crate.swift imports the C module CeriaFFI" 'grep -q "^import CeriaFFI" "$s/$crate.swift"'
done
check "module.modulemap names both headers" \
  'grep -q "header \"ceria_ffiFFI.h\"" "$s/module.modulemap" && grep -q "header \"ceria_coreFFI.h\"" "$s/module.modulemap"'
check "CeriaClient is declared" 'grep -q "^open class CeriaClient" "$s/ceria_ffi.swift"'
check "CeriaError is declared" 'grep -A1 "^public *$" "$s/ceria_core.swift" | grep -q "^enum CeriaError"'
check "validateNik is declared" 'grep -q "^public func validateNik(" "$s/ceria_ffi.swift"'

echo "swift: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
