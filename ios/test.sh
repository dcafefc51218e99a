#!/usr/bin/env bash
# On a Mac: builds the XCFramework (build-xcframework.sh), starts a relay on loopback (the
# CLI's `companion serve --open`) for the sharing scenarios, and runs CompanionKit's XCTest
# cases on an iOS simulator. Not run on the machine this project is built on (no Xcode).
#   bash ios/test.sh ["platform=iOS Simulator,name=iPhone 15"]
set -euo pipefail
ios="$(cd "$(dirname "$0")" && pwd)"
cd "$ios/.."
destination="${1:-platform=iOS Simulator,name=iPhone 15}"
bash "$ios/build-xcframework.sh"
cargo build -q -p companion-cli
relay_dir=$(mktemp -d)
./target/debug/companion --db "$relay_dir/relay.db" serve --listen 127.0.0.1:0 --open >"$relay_dir/out" 2>"$relay_dir/log" &
relay=$!
trap 'kill $relay 2>/dev/null || true; rm -rf "$relay_dir"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$relay_dir/out" 2>/dev/null && break; sleep 0.1; done
url="http://$(sed -n 's/^listening on //p' "$relay_dir/out" | head -n 1)"
cd "$ios/CompanionKit"
# xcodebuild hands TEST_RUNNER_-prefixed variables to the tests, without the prefix.
TEST_RUNNER_COMPANION_RELAY_URL="$url" xcodebuild test -scheme CompanionKit -destination "$destination"
