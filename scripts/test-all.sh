#!/usr/bin/env bash
# Runs every test suite: formatting, lints, the Rust tests (unit, integration, property, crash,
# CLI, doc tests), the Kotlin tests of the generated bindings on the JVM, the Android app under
# Robolectric, the iOS sources checked against the generated Swift bindings, the visit report and
# the clinic's workspace in headless Chromium, the FHIR bundles through HAPI FHIR's validator,
# a short run of every fuzz target, and the phone library's size budget.
# Needs: cargo (with rustfmt and clippy), a JDK 17+ and Maven, Node.js with npm, Chromium
# (Debian's chromium package, /usr/bin/chromium) and PostgreSQL (Debian's postgresql package:
# a throwaway server is started for the relay's tests), the nightly toolchain and cargo-fuzz
# (for the fuzz targets).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
# The encryption benchmark builds only with its unencrypted baseline's feature.
cargo clippy -p companion-core --all-targets --features bench-plaintext -- -D warnings

echo "== the record file's SQLite is SQLite3 Multiple Ciphers, not a system or bundled SQLite"
cargo tree -p companion-core -e features -i libsqlite3-sys 2>/dev/null | grep -q 'in_gecko' ||
    { echo "libsqlite3-sys must be built with in_gecko (companion-sqlite3mc links SQLite)" >&2; exit 1; }

echo "== the relay links the protocol, not the core (no Automerge, no documents, no texts)"
if cargo tree -p companion-server -e normal 2>/dev/null | grep -qE 'companion-core|automerge|fluent'; then
    echo "companion-server depends on the core: it must use companion-protocol alone" >&2
    exit 1
fi

echo "== one crypto library (ring): aws-lc must not be in the tree"
if cargo tree --workspace -i aws-lc-sys >/dev/null 2>&1; then
    echo "aws-lc-sys is in the dependency tree: reqwest must use rustls on ring" >&2
    exit 1
fi

echo "== PostgreSQL for the relay's tests"
# A throwaway server on loopback (scripts/postgres.sh); the relay's storage suite runs on it
# within `cargo test`, and the relay scenario suites run once more with the relay on it.
pgdir=$(mktemp -d /tmp/companion-pg.XXXXXX)
trap 'bash scripts/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
COMPANION_TEST_POSTGRES=$(bash scripts/postgres.sh start "$pgdir" | tail -n 1)
export COMPANION_TEST_POSTGRES

echo "== cargo test (relays on SQLite)"
cargo test --workspace

echo "== the core's unit tests with the phone library's features (no HTTP, no template paths)"
cargo test -p companion-core --no-default-features --lib

echo "== the relay suites again, relays on PostgreSQL"
# --workspace, as above, so the features unify the same way and nothing is built again.
COMPANION_TEST_RELAY=postgres cargo test --workspace --test sharing --test sync_faults --test relays

echo "== Kotlin bindings"
bash bindings/kotlin/run-tests.sh

echo "== iOS: the Swift bindings generated, the sources checked against them (ios/check.py)"
bash ios/generate-bindings.sh
python3 ios/check.py
python3 ios/check.py --self-test

echo "== The Android app under Robolectric"
bash android/test.sh

echo "== Visit report and the clinic's workspace in headless Chromium"
cargo build -p companion-cli
(cd tests/report && npm ci --silent --no-audit --no-fund && node --test)

echo "== FHIR bundles through HAPI FHIR's validator (fhir/check.sh)"
bash fhir/check.sh

echo "== Fuzz targets, 10 s each from their seed corpora (scripts/fuzz.sh)"
bash scripts/fuzz.sh 10

echo "== Phone library size"
bash scripts/check-size.sh

echo "== the Kotlin tests again, on the stripped phone library"
# Bindings generated from the host build (the phone library carries no UniFFI metadata) must
# work with it. The tests find the library and the relay's CLI in one directory.
phonelib=$(mktemp -d /tmp/companion-phonelib.XXXXXX)
cp target/phone/mobile/libcompanion_ffi.stripped.so "$phonelib/libcompanion_ffi.so"
ln -s "$PWD/target/debug/companion" "$phonelib/companion"
bash scripts/maven-tests.sh bindings/kotlin "Kotlin on the phone library" "$phonelib"
rm -rf "$phonelib"

du -sh target | awk '{print "== target/ holds " $1 " after every suite"}'
