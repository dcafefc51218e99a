#!/usr/bin/env bash
# Builds the FFI library, the generator (same features) and the CLI (the relay the sync tests
# talk to) in one build, then generates the Kotlin bindings with the pinned uniffi-bindgen into
# bindings/kotlin/generated (not committed). The Kotlin tests and the Android app compile them.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p companion-ffi --features bindgen -p companion-cli
rm -rf bindings/kotlin/generated
./target/debug/uniffi-bindgen generate \
    --library target/debug/libcompanion_ffi.so \
    --language kotlin --no-format \
    --out-dir bindings/kotlin/generated
