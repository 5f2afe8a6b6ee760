#!/usr/bin/env bash
# The one command that runs every test on a fresh Debian 12 machine with
# Swift installed: installs missing packages, builds everything with warnings
# treated as failures, runs the test suite, and builds the examples.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-dependencies.sh

log=$(mktemp)
prosody_up=false
# On every exit, a failed step under `set -e` included: remove the log and,
# if the test Prosody may be running, stop it. The exit status is kept, and a
# Prosody that cannot be stopped fails an otherwise green run.
cleanup() {
    local status=$?
    rm -f "$log"
    if $prosody_up; then
        Scripts/prosody.sh down || { [ "$status" -ne 0 ] || status=1; }
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT   # so that an interrupted run still stops Prosody
trap 'exit 143' TERM

echo "== build (library and tests)"
swift build --build-tests 2>&1 | tee "$log"
if grep -E "(^|: )warning:" "$log" | grep -v "^warning: 'swift-xmpp'" ; then
    echo "Build produced warnings (above); the project builds warning-free." >&2
    exit 1
fi

echo "== tests (with a throwaway Prosody on loopback for IntegrationTests)"
prosody_up=true   # set first: a half-started Prosody is stopped too
Scripts/prosody.sh up
eval "$(Scripts/prosody.sh env)"   # XMPP_TEST_HOST and friends enable IntegrationTests
swift test --skip-build --parallel --skip ProsodyNothingLostTests
# The nothing-lost runs flood Prosody with 20,000 messages and about 130
# reconnections; they run alone, so the other live suites' bounded waits are
# not starved by them.
swift test --skip-build --filter ProsodyNothingLostTests
# Stopped as soon as the tests are done, not after the examples and docs.
Scripts/prosody.sh down
prosody_up=false

echo "== examples"
for example in Examples/*/; do
    [ -f "$example/Package.swift" ] || continue
    echo "-- $example"
    # SwiftPM caches a path dependency's file list in the example's build
    # plan; touching the manifest makes it plan again, so files added to the
    # library since the last build are seen.
    touch "$example/Package.swift"
    swift build --package-path "$example" 2>&1 | tee "$log"
    if grep -E "(^|: )warning:" "$log"; then
        echo "Example $example produced warnings." >&2
        exit 1
    fi
done
echo "== docs"
Scripts/check-doc-comments.sh
Scripts/check-docs.sh
Scripts/check-docc.sh

echo "All tests passed."
