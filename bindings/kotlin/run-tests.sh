#!/usr/bin/env bash
# Builds the FFI library, generates its Kotlin bindings with the pinned uniffi-bindgen, compiles
# them with the Kotlin compiler from Maven Central and runs the JUnit tests on the JVM.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bash scripts/kotlin-bindings.sh
bash scripts/maven-tests.sh bindings/kotlin Kotlin "$root/target/debug"
