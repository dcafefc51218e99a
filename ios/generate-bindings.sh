#!/usr/bin/env bash
# Generates the Swift bindings with the project's pinned uniffi-bindgen (the same build as
# the Kotlin bindings: bindings/src/bin/uniffi-bindgen.rs) against the host library, into
#   CompanionKit/Sources/CompanionCore/CompanionCore.swift   (the Swift API)
#   generated/include/CompanionCoreFFI.h, module.modulemap    (the C interface, for the XCFramework)
# None of it is committed. Runs on Linux (CI checks the package against it: ios/check.py) and
# on a Mac (ios/build-xcframework.sh calls it).
set -euo pipefail
ios="$(cd "$(dirname "$0")" && pwd)"
cd "$ios/.."
cargo build -q -p companion-ffi --features bindgen
case "$(uname -s)" in
    Darwin) lib=target/debug/libcompanion_ffi.dylib ;;
    *) lib=target/debug/libcompanion_ffi.so ;;
esac
out="$ios/generated"
rm -rf "$out"
./target/debug/uniffi-bindgen generate --library "$lib" --language swift --no-format --out-dir "$out"
mkdir -p "$out/include" "$ios/CompanionKit/Sources/CompanionCore"
mv "$out/CompanionCoreFFI.h" "$out/include/"
mv "$out/CompanionCoreFFI.modulemap" "$out/include/module.modulemap"
mv "$out/CompanionCore.swift" "$ios/CompanionKit/Sources/CompanionCore/CompanionCore.swift"
echo "Swift bindings: $ios/CompanionKit/Sources/CompanionCore/CompanionCore.swift"
