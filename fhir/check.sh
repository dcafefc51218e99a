#!/usr/bin/env bash
# The FHIR bundles this project writes, checked by an independent validator (HAPI FHIR 8.8.1,
# offline, one JVM): the bundles of the FHIR tests (every schedule type, a round trip) and the
# demo record's must give 0 errors; a bundle broken on purpose (a blood-pressure panel without
# its systolic and diastolic, which the R4 vital-signs profile requires) must give errors, so
# that a validator that passes everything fails this check.
# Needs: cargo, a JDK 17+ and Maven. Usage: fhir/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/companion-fhir.XXXXXX)
trap 'rm -rf "$out"' EXIT
COMPANION_FHIR_OUT=$out cargo test -q -p companion-fhir --test fhir >/dev/null
cargo build -q -p companion-cli
COMPANION_HOME=$out/home target/debug/companion demo --db "$out/demo.db" --days 30 >/dev/null
COMPANION_HOME=$out/home target/debug/companion --db "$out/demo.db" fhir export --out "$out/demo.json" >/dev/null
bash fhir/validate.sh "$out"/*.json
python3 - "$out/demo.json" "$out/broken.bad" <<'PY'
import json, sys
bundle = json.load(open(sys.argv[1]))
for e in bundle["entry"]:
    r = e["resource"]
    if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "85354-9":
        del r["component"]
        break
else:
    raise SystemExit("no blood-pressure panel in the demo bundle")
json.dump(bundle, open(sys.argv[2], "w"))
PY
if bash fhir/validate.sh "$out/broken.bad" >"$out/broken.log" 2>&1; then
    echo "the validator passed a bundle that breaks the vital-signs profile" >&2
    exit 1
fi
grep -q '0 files\|[1-9][0-9]* errors' "$out/broken.log"
echo "the broken bundle was refused: $(tail -n 1 "$out/broken.log")"
