#!/usr/bin/env bash
# Builds the phone library (the `mobile` profile) for this machine, strips it, and fails when it
# is over the budget: every crate in it grows the app patients download. The budget is for one
# ABI; x86_64 Linux here stands in for the phones' arm64 (within a few per cent).
# Usage: scripts/check-size.sh [BUDGET_BYTES]   (default 6,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
budget="${1:-6000000}"

cargo build -q -p companion-ffi --profile mobile
lib=target/mobile/libcompanion_ffi.so
strip -o target/mobile/libcompanion_ffi.stripped.so "$lib"
size=$(stat -c %s target/mobile/libcompanion_ffi.stripped.so)
printf 'phone library (stripped, %s): %s bytes, budget %s bytes\n' "$(uname -m)" "$size" "$budget"
if [ "$size" -gt "$budget" ]; then
    echo "the phone library is over its size budget" >&2
    exit 1
fi
