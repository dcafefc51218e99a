#!/usr/bin/env bash
# Builds the host library and the CLI, generates the Kotlin bindings with the pinned
# uniffi-bindgen, compiles the Android app against the Android framework jar (API 35, from Maven
# Central) and runs its Robolectric tests on the JVM, offline once the first run downloaded them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/kotlin-bindings.sh
bash scripts/maven-tests.sh android Android "$root/target/debug"
