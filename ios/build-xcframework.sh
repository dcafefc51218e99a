#!/usr/bin/env bash
# On a Mac with Xcode and rustup: builds the core for iOS devices (arm64) and the simulator
# (arm64 and x86_64, one fat library) as static libraries with the phone profile (`mobile`),
# wraps them with the generated C header into CompanionKit/CompanionCoreFFI.xcframework, and
# generates the Swift bindings (generate-bindings.sh). Then `swift build` / Xcode builds the
# CompanionKit package, and `xcodegen` (project.yml) the app.
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
# Not run on the machine this project is built on: it has no Xcode and no Swift toolchain.
set -euo pipefail
ios="$(cd "$(dirname "$0")" && pwd)"
cd "$ios/.."
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs a Mac with Xcode" >&2; exit 1; }
command -v xcodebuild >/dev/null || { echo "xcodebuild is missing: install Xcode" >&2; exit 1; }

bash "$ios/generate-bindings.sh"

# The C in the core (SQLite, ring's C) without unwind tables, as on Android (scripts/check-size.sh).
export CFLAGS="-fno-asynchronous-unwind-tables -fno-unwind-tables"
export IPHONEOS_DEPLOYMENT_TARGET=16.0
for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
    cargo rustc -q -p companion-ffi --lib --crate-type staticlib --profile mobile \
        --target "$target" --target-dir target/ios
done
lib=libcompanion_ffi.a
mkdir -p target/ios/simulator
lipo -create \
    "target/ios/aarch64-apple-ios-sim/mobile/$lib" \
    "target/ios/x86_64-apple-ios/mobile/$lib" \
    -output "target/ios/simulator/$lib"

framework="$ios/CompanionKit/CompanionCoreFFI.xcframework"
rm -rf "$framework"
xcodebuild -create-xcframework \
    -library "target/ios/aarch64-apple-ios/mobile/$lib" -headers "$ios/generated/include" \
    -library "target/ios/simulator/$lib" -headers "$ios/generated/include" \
    -output "$framework"
ls -l "target/ios/aarch64-apple-ios/mobile/$lib"
echo "built $framework; now: cd ios/CompanionKit && swift build, or xcodegen in ios/"
