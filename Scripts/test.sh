#!/usr/bin/env bash
# The one command that runs every test on a fresh Debian 12 machine with
# Swift installed: installs missing packages, builds everything with warnings
# treated as failures, runs the test suite, and builds the examples.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-dependencies.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== build (library and tests)"
swift build --build-tests 2>&1 | tee "$log"
if grep -E "(^|: )warning:" "$log" | grep -v "^warning: 'swift-xmpp'" ; then
    echo "Build produced warnings (above); the project builds warning-free." >&2
    exit 1
fi

echo "== tests"
swift test --skip-build --parallel

echo "== examples"
for example in Examples/*/; do
    [ -f "$example/Package.swift" ] || continue
    echo "-- $example"
    swift build --package-path "$example" 2>&1 | tee "$log"
    if grep -E "(^|: )warning:" "$log"; then
        echo "Example $example produced warnings." >&2
        exit 1
    fi
done
echo "== docs"
Scripts/check-doc-comments.sh
Scripts/check-docs.sh

echo "All tests passed."
