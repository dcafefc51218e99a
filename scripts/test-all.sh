#!/usr/bin/env bash
# Runs every test suite: formatting, lints, the Rust tests (unit, integration, property, crash,
# CLI, doc tests), the Kotlin tests of the generated bindings on the JVM, and the visit report
# rendered in headless Chromium, and the phone library's size budget.
# Needs: cargo (with rustfmt and clippy), a JDK 17+ and Maven, Node.js with npm, and Chromium
# (Debian's chromium package, /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "== one crypto library (ring): aws-lc must not be in the tree"
if cargo tree --workspace -i aws-lc-sys >/dev/null 2>&1; then
    echo "aws-lc-sys is in the dependency tree: reqwest must use rustls on ring" >&2
    exit 1
fi

echo "== cargo test"
cargo test --workspace

echo "== Kotlin bindings"
bash bindings/kotlin/run-tests.sh

echo "== Visit report in headless Chromium"
cargo build -p companion-cli
(cd tests/report && npm ci --silent --no-audit --no-fund && node --test)

echo "== Phone library size"
bash scripts/check-size.sh
