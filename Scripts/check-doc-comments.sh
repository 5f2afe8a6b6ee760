#!/usr/bin/env bash
# Fails when a public declaration in Sources/ has no doc comment (`///` or
# `/** */`) directly above it (attributes such as @inlinable may sit between).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=$(find Sources -name '*.swift' -print0 | xargs -0 awk '
    FNR == 1 { documented = 0; inblock = 0 }
    {
        line = $0
        sub(/^[ \t]+/, "", line)
        if (line ~ /^\/\*\*/) inblock = 1
        if (inblock) { if (line ~ /\*\//) { inblock = 0; documented = 1 }; next }
        if (line ~ /^\/\/\//) { documented = 1; next }
        if (line ~ /^@/ && line !~ /^@[A-Za-z]+ +(public|open) /) next
        if (line ~ /^(@[A-Za-z]+(\([^)]*\))? +)*(public|open) / && line !~ /(public|open) import / && line !~ /^public +(extension)/) {
            if (!documented) printf "%s:%d: %s\n", FILENAME, FNR, line
        }
        documented = 0
    }')
if [ -n "$missing" ]; then
    echo "Public declarations without a doc comment:" >&2
    echo "$missing" >&2
    exit 1
fi
echo "Every public declaration has a doc comment."
