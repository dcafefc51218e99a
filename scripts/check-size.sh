#!/usr/bin/env bash
# Builds the phone library (the `mobile` profile), strips it, and fails when it is over the
# budget: every crate in it grows the app patients download. The budget is arm64's, the ABI of
# nearly every phone, built for aarch64 Linux with Debian's cross gcc and lld (the same
# instruction set and linker as the NDK's arm64; the NDK itself is not on this machine). x86_64
# (this machine; Android emulators) is measured and reported beside it. arm64 is built when its
# tools are present (.ci/run installs them): rustup's aarch64-unknown-linux-gnu target,
# aarch64-linux-gnu-gcc and ld.lld; without them it says so and x86_64 is held to the budget.
# Usage: scripts/check-size.sh [BUDGET_BYTES]   (default 6,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
budget="${1:-6000000}"

# The link flags of a phone build: identical code folding, and relative relocations packed
# (DT_RELR: 345 KB of .rela.dyn become 3 KB). Android reads DT_RELR from API 30; for API 28-29
# the NDK build passes -Wl,--pack-dyn-relocs=android+relr instead.
# The C in it (SQLite, ring's C) is built without unwind tables: no Rust panic ever unwinds
# through a C frame (a callback from C is `extern "C"`, which aborts rather than unwind), so
# they only cost bytes (about 100 KB). The shells' NDK and Xcode builds pass the same CFLAGS.
# The linker wrapper leaves UniFFI's metadata out of the library (scripts/phone-linker.sh).
# Each ABI has its own target directory, so that these flags do not rebuild the other profiles.
export CFLAGS="-fno-asynchronous-unwind-tables -fno-unwind-tables"
flags="-C link-arg=-Wl,--icf=all -C link-arg=-Wl,-z,pack-relative-relocs -C linker=$PWD/scripts/phone-linker.sh"
over=0

# Strips $1 into $2 with strip tool $3 and checks the size against the budget.
# measure LIB STRIPPED STRIP ARCH GATE: strips LIB and prints its size; with GATE=gate, a size
# over the budget fails the check (the budget is arm64's, what phones run; x86_64 is for
# emulators and only reported, unless arm64 cannot be measured here).
measure() {
    "$3" -o "$2" "$1"
    local size
    size=$(stat -c %s "$2")
    if [ "$5" = gate ]; then
        printf 'phone library (stripped, %s): %s bytes, budget %s bytes\n' "$4" "$size" "$budget"
        if [ "$size" -gt "$budget" ]; then
            echo "the $4 phone library is over its size budget" >&2
            over=1
        fi
    else
        printf 'phone library (stripped, %s, for emulators, reported only): %s bytes\n' "$4" "$size"
    fi
}

arm=aarch64-unknown-linux-gnu
arm_here=no
if rustup target list --installed 2>/dev/null | grep -qx "$arm" &&
    command -v aarch64-linux-gnu-gcc >/dev/null && command -v ld.lld >/dev/null; then
    arm_here=yes
fi

RUSTFLAGS="$flags" cargo build -q -p companion-ffi --profile mobile --target-dir target/phone
if [ "$arm_here" = yes ]; then x86_gate=report; else x86_gate=gate; fi
measure target/phone/mobile/libcompanion_ffi.so \
    target/phone/mobile/libcompanion_ffi.stripped.so strip x86_64 "$x86_gate"

if [ "$arm_here" = yes ]; then
    CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
    AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar \
    PHONE_LINKER=aarch64-linux-gnu-gcc \
    RUSTFLAGS="-C link-arg=-fuse-ld=lld $flags" \
        cargo build -q -p companion-ffi --profile mobile --target "$arm" --target-dir target/phone-arm64
    measure "target/phone-arm64/$arm/mobile/libcompanion_ffi.so" \
        "target/phone-arm64/$arm/mobile/libcompanion_ffi.stripped.so" aarch64-linux-gnu-strip arm64 gate
else
    echo "arm64 not measured: needs rustup's $arm target, aarch64-linux-gnu-gcc and ld.lld" >&2
fi
exit "$over"
