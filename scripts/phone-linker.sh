#!/usr/bin/env bash
# The linker of the phone library: `cc` (or $PHONE_LINKER, the NDK's clang), except that the
# UniFFI metadata statics (UNIFFI_META_*, about 77 KB: every exported type's shape and doc
# comments) are no longer exported, so that the linker drops them as unused. Nothing at run time
# reads them: only `uniffi-bindgen` does, and the bindings are generated from a host build that
# keeps them (README, "Building the phone libraries"). Passed as `-C linker=` by
# scripts/check-size.sh; the shells' builds pass it the same way.
set -euo pipefail
args=()
for a in "$@"; do
    case "$a" in
    -Wl,--version-script=*)
        script="${a#-Wl,--version-script=}"
        grep -v 'UNIFFI_META_' "$script" > "$script.phone"
        args+=("-Wl,--version-script=$script.phone")
        ;;
    *) args+=("$a") ;;
    esac
done
exec "${PHONE_LINKER:-cc}" "${args[@]}"
