#!/usr/bin/env bash
# Builds the host library and the CLI, generates the Kotlin bindings with the pinned
# uniffi-bindgen, compiles the Android app against the Android framework jar (API 35, from Maven
# Central) and runs its Robolectric tests on the JVM, offline once the first run downloaded them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

cargo build -p companion-ffi --features bindgen -p companion-cli
rm -rf bindings/kotlin/generated
./target/debug/uniffi-bindgen generate \
    --library target/debug/libcompanion_ffi.so \
    --language kotlin --no-format \
    --out-dir bindings/kotlin/generated

cd android
rm -rf target/surefire-reports
# (Maven prints colour codes even in batch mode; strip them.)
mvn -B -q -Dstyle.color=never test -Drust.lib.dir="$root/target/debug" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
python3 - <<'PY'
import glob, xml.etree.ElementTree as ET
t = f = e = s = 0
for path in glob.glob("target/surefire-reports/TEST-*.xml"):
    r = ET.parse(path).getroot()
    t += int(r.get("tests")); f += int(r.get("failures")); e += int(r.get("errors")); s += int(r.get("skipped"))
print(f"Android: {t - f - e - s} passed, {f + e} failed, {s} skipped")
if t == 0:
    raise SystemExit("no Android test ran")
PY
