#!/usr/bin/env bash
# Builds the phone library for Android's ABIs into android/jniLibs/<abi>/libcompanion_ffi.so,
# with the same profile and link flags as scripts/check-size.sh (the `mobile` profile, folded
# identical code, packed relocations, no UniFFI metadata). Needs the Android NDK
# ($ANDROID_NDK_HOME) and cargo-ndk (`cargo install cargo-ndk`), and the Rust targets
# (`rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`).
# Not verified on the machine this project is built on: it has no NDK.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ -z "${ANDROID_NDK_HOME:-}" ] || [ ! -d "$ANDROID_NDK_HOME" ]; then
    echo "ANDROID_NDK_HOME is not set to an installed Android NDK: nothing built" >&2
    exit 1
fi
command -v cargo-ndk >/dev/null || { echo "cargo-ndk is missing: cargo install cargo-ndk" >&2; exit 1; }

# API 30: Android reads packed relative relocations from there on.
CFLAGS="-fno-asynchronous-unwind-tables -fno-unwind-tables" \
RUSTFLAGS="-C link-arg=-Wl,--icf=all -C link-arg=-Wl,-z,pack-relative-relocs" \
    cargo ndk --platform 30 -t arm64-v8a -t armeabi-v7a -t x86_64 -o android/jniLibs \
    build -p companion-ffi --profile mobile --target-dir target/android
ls -l android/jniLibs/*/libcompanion_ffi.so
