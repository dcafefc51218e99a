#!/usr/bin/env bash
# Runs every test suite: formatting, lints, the Rust tests (unit, integration, property, crash,
# CLI, doc tests) and the Kotlin tests of the generated bindings on the JVM.
# Needs: cargo (with rustfmt and clippy), a JDK 17+ and Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo test"
cargo test --workspace

echo "== Kotlin bindings"
bash bindings/kotlin/run-tests.sh
