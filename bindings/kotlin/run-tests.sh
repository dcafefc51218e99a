#!/usr/bin/env bash
# Builds the FFI library, generates its Kotlin bindings with the pinned uniffi-bindgen, compiles
# them with the Kotlin compiler from Maven Central and runs the JUnit tests on the JVM.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

# One build gives the library, the generator (same features) and the CLI that runs the relay
# the sync tests talk to.
cargo build -p companion-ffi --features bindgen -p companion-cli
rm -rf bindings/kotlin/generated
./target/debug/uniffi-bindgen generate \
    --library target/debug/libcompanion_ffi.so \
    --language kotlin --no-format \
    --out-dir bindings/kotlin/generated

cd bindings/kotlin
# (Maven prints colour codes even in batch mode; strip them.)
mvn -B -q -Dstyle.color=never test -Drust.lib.dir="$root/target/debug" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
# Maven -q hides the summary; print the counts Surefire wrote.
python3 - <<'PY'
import glob, xml.etree.ElementTree as ET
t = f = e = s = 0
for path in glob.glob("target/surefire-reports/TEST-*.xml"):
    r = ET.parse(path).getroot()
    t += int(r.get("tests")); f += int(r.get("failures")); e += int(r.get("errors")); s += int(r.get("skipped"))
print(f"Kotlin: {t - f - e - s} passed, {f + e} failed, {s} skipped")
if t == 0:
    raise SystemExit("no Kotlin test ran")
PY
