#!/usr/bin/env bash
# Runs the Maven project in DIR's tests against the Rust library in LIBDIR and prints
# "LABEL: N passed, N failed, N skipped" from what Surefire wrote (Maven -q hides its summary);
# fails when no test ran.
# Usage: scripts/maven-tests.sh DIR LABEL LIBDIR
set -euo pipefail
dir=$1 label=$2 libdir=$3
cd "$dir"
rm -rf target/surefire-reports
# (Maven prints colour codes even in batch mode; strip them.)
mvn -B -q -Dstyle.color=never test -Drust.lib.dir="$libdir" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
LABEL="$label" python3 - <<'PY'
import glob, os, xml.etree.ElementTree as ET
t = f = e = s = 0
for path in glob.glob("target/surefire-reports/TEST-*.xml"):
    r = ET.parse(path).getroot()
    t += int(r.get("tests")); f += int(r.get("failures")); e += int(r.get("errors")); s += int(r.get("skipped"))
print(f"{os.environ['LABEL']}: {t - f - e - s} passed, {f + e} failed, {s} skipped")
if t == 0:
    raise SystemExit("no test ran")
PY
