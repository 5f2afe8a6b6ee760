#!/usr/bin/env bash
# The demo: installs what is missing, builds the StreamDump example and feeds
# it a sample server stream, showing each stanza and the typed error when the
# stream breaks RFC 6120's restricted-XML rule. (The echo bot against a local
# Prosody replaces this once the session layer lands.)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh
swift build --package-path Examples/StreamDump -c release
set +e
Examples/StreamDump/.build/release/StreamDump < Examples/StreamDump/sample-stream.xml
status=$?
set -e
# The sample ends with a comment, so the reader must refuse it (exit 1).
if [ "$status" -ne 1 ]; then
    echo "demo: expected the reader to refuse the restricted XML at the end" >&2
    exit 1
fi
echo "demo: OK"
