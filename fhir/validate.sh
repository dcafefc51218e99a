#!/usr/bin/env bash
# Validates FHIR R4 bundles with HAPI FHIR's validator (fhir/validator), in one JVM, offline.
# Prints every error; exits non-zero when any file has one.
# Usage: fhir/validate.sh FILE...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/validator"
mvn -B -q -Dstyle.color=never compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
cd - >/dev/null
exec java -Xmx1g -cp "$here/validator/target/classes:$(cat "$here/validator/target/classpath.txt")" org.companion.fhir.Validate "$@"
