#!/usr/bin/env bash
# The Android app shell, as far as it can be checked without an Android SDK:
#  1. android/ui-logic (the screen logic) imports nothing from android.* or androidx.*;
#  2. the host core library is built and its JVM Kotlin bindings generated (scripts/gen-bindings);
#  3. ceria-server is built (debug);
#  4. Maven compiles ui-logic with those bindings and runs its JUnit 5 tests against the real
#     core (JNA, host .so) and a ceria-server on loopback.
# The Gradle build of the APK (Compose screens, WorkManager, cargo-ndk) needs Android Studio
# and the NDK: it is not run here (see README, "Android app").
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"

echo "android: ui-logic must stay free of android.* / androidx.*"
if grep -rnE '^import (android|androidx)\.' android/ui-logic/src; then
  echo "android: ui-logic imports Android classes (above); move that code to android/app" >&2
  exit 1
fi

if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
  echo "android: installing Maven and a JDK (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven default-jdk-headless >/dev/null
fi

out="$target/android-suite/bindings"
lib="$(scripts/gen-bindings --lang kotlin --out "$out" | tail -n 1)"
echo "android: core library $lib"
cargo build -p ceria-cli --bin ceria-server
server="$target/debug/ceria-server"

mvn -B --no-transfer-progress -f android/ui-logic/pom.xml \
  -Dceria.bindings.dir="$out/kotlin" \
  -Dceria.lib.dir="$(dirname "$lib")" \
  -Dceria.server.bin="$server" \
  -Dceria.wilayah.dir="$root/../shared/data/wilayah" \
  clean test
