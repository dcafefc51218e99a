#!/usr/bin/env bash
# Builds the phone library (the `mobile` profile) for this machine, strips it, and fails when it
# is over the budget: every crate in it grows the app patients download. The budget is for one
# ABI; x86_64 Linux here stands in for the phones' arm64 (within a few per cent).
# Usage: scripts/check-size.sh [BUDGET_BYTES]   (default 6,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
budget="${1:-6000000}"

# The link flags of a phone build: identical code folding, and relative relocations packed
# (DT_RELR: 345 KB of .rela.dyn become 3 KB). Android reads DT_RELR from API 30; for API 28-29
# the NDK build passes -Wl,--pack-dyn-relocs=android+relr instead. Its own target directory,
# so that these flags do not rebuild the other profiles.
# The C in it (SQLite, ring's C) is built without unwind tables: no Rust panic ever unwinds
# through a C frame (a callback from C is `extern "C"`, which aborts rather than unwind), so
# they only cost bytes (about 100 KB). The shells' NDK and Xcode builds pass the same CFLAGS.
# The linker wrapper leaves UniFFI's metadata out of the library (scripts/phone-linker.sh).
CFLAGS="-fno-asynchronous-unwind-tables -fno-unwind-tables" \
RUSTFLAGS="-C link-arg=-Wl,--icf=all -C link-arg=-Wl,-z,pack-relative-relocs -C linker=$PWD/scripts/phone-linker.sh" \
    cargo build -q -p companion-ffi --profile mobile --target-dir target/phone
lib=target/phone/mobile/libcompanion_ffi.so
strip -o target/phone/mobile/libcompanion_ffi.stripped.so "$lib"
size=$(stat -c %s target/phone/mobile/libcompanion_ffi.stripped.so)
printf 'phone library (stripped, %s): %s bytes, budget %s bytes\n' "$(uname -m)" "$size" "$budget"
if [ "$size" -gt "$budget" ]; then
    echo "the phone library is over its size budget" >&2
    exit 1
fi
