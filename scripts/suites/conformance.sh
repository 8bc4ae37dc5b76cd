#!/usr/bin/env bash
# tus 1.0 (tuspy, tus-js-client) and OpenAPI (schemathesis) conformance of the reference server.
set -euo pipefail
exec bash "$(dirname "$0")/../../tests/conformance/run.sh"
