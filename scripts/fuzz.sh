#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for SECONDS each (default 10), from its committed
# seed corpus (fuzz/corpus/TARGET, left as it is: what the run finds goes to a scratch corpus).
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`). A crash
# fails the run and leaves its input in fuzz/artifacts/TARGET/: make it a regression test.
# Prints each target's count of runs and its coverage.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-10}"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: needs the nightly toolchain and cargo-fuzz:" >&2
    echo "  rustup toolchain install nightly --profile minimal && cargo install cargo-fuzz --locked" >&2
    exit 1
fi
targets=(sync_wire membership invite replica_file templates typed_values typed_readings)
cargo +nightly fuzz build -s none
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t"
    log="$scratch/$t.log"
    if ! cargo +nightly fuzz run -s none "$t" "$scratch/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "fuzz: $t FAILED (input in fuzz/artifacts/$t/)" >&2
        exit 1
    fi
    runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n 1 || true)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
    echo "fuzz: $t: ${runs:-?} in ${seconds} s, ${cov:-cov ?}"
done
