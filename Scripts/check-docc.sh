#!/usr/bin/env bash
# Builds the DocC catalogs (Sources/<Module>/<Module>.docc) against the
# package's public symbol graphs and fails when a catalog page has a problem
# (a broken symbol link, a symbol listed under Topics that does not exist).
# Doc comments in the sources link to other modules' symbols (XMPPCore's
# types from XMPP, say), which a one-module DocC build cannot resolve; those
# are counted, not failed, since they render as code.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v docc >/dev/null || { echo "check-docc.sh: docc is not in this toolchain; skipped"; exit 0; }

swift package dump-symbol-graph --minimum-access-level public >/dev/null
graphs=$(find .build -maxdepth 3 -type d -name symbolgraph | head -n 1)
[ -n "$graphs" ] || { echo "check-docc.sh: no symbol graphs were written" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for catalog in Sources/*/*.docc; do
    module=$(basename "$catalog" .docc)
    mkdir -p "$work/$module/graphs"
    cp "$graphs/$module.symbols.json" "$work/$module/graphs/"
    cp "$graphs/$module"@*.symbols.json "$work/$module/graphs/" 2>/dev/null || true
    log="$work/$module/log"
    if ! docc convert "$catalog" --additional-symbol-graph-dir "$work/$module/graphs" \
        --output-path "$work/$module/out" --fallback-display-name "$module" \
        --fallback-bundle-identifier "org.swift-xmpp.$module" >"$log" 2>&1; then
        cat "$log" >&2
        status=1
        continue
    fi
    # A warning's location line follows it: a catalog page (.md) or a
    # source file (.swift, a doc comment).
    catalog_problems=$(grep -A1 -E '(warning|error):' "$log" | grep -c -E -- '--> .*\.md:' || true)
    others=$(grep -c -E 'warning:' "$log" || true)
    if [ "$catalog_problems" -gt 0 ]; then
        echo "check-docc.sh: $module.docc has $catalog_problems problem(s):" >&2
        grep -B1 -A4 -E -- '--> .*\.md:' "$log" >&2
        status=1
    else
        echo "check-docc.sh: $module.docc OK ($others links in doc comments to other modules' symbols, left as code)"
    fi
done
exit $status
