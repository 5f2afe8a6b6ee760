#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ and runs each for a given time with its
# committed seeds (Tests/Fuzz/<target>/). See Fuzz/README.md.
#
#   Scripts/fuzz.sh [TARGET|all] [SECONDS]
#
# TARGET is reader, writer, jid, scram, base64, sm-ledger or all (default);
# SECONDS is the time per target (default 60). Exits non-zero if any target
# crashed, leaked, timed out or ran out of memory; the input that did it is
# saved under .build-fuzz/<target>/crashes/ and its path printed.
#
# Environment:
#   FUZZ_RSS_LIMIT_MB  memory limit per target process (default 2048)
#   FUZZ_TIMEOUT       seconds one input may take before it counts as a hang (default 10)
#   FUZZ_RUNS          also stop after this many executions (whichever limit comes first)
#   FUZZ_NO_BUILD=1    use the binaries already built
#   FUZZ_ARGS          extra libFuzzer flags, for example "-max_len=8192"
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(reader writer jid scram base64 sm-ledger)
target=${1:-all}
seconds=${2:-60}
rss_limit=${FUZZ_RSS_LIMIT_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}

usage() {
    echo "usage: Scripts/fuzz.sh [$(IFS='|'; echo "${all_targets[*]}")|all] [SECONDS]" >&2
    exit 2
}

# The executable product of each target.
product() {
    case "$1" in
        reader) echo FuzzReader ;;
        writer) echo FuzzWriter ;;
        jid) echo FuzzJID ;;
        scram) echo FuzzSCRAM ;;
        base64) echo FuzzBase64 ;;
        sm-ledger) echo FuzzSMLedger ;;
        *) usage ;;
    esac
}

[[ "$seconds" =~ ^[0-9]+$ ]] || usage
if [ "$target" = all ]; then
    targets=("${all_targets[@]}")
else
    product "$target" >/dev/null
    targets=("$target")
fi

# -parse-as-library: the targets have no top-level code (libFuzzer's driver
# is the program). -enable-testing: the SASL and stream-management targets
# use internal parsers through `@testable import XMPP`.
build_flags=(-c release --package-path Fuzz
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing)
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    echo "== build"
    if [ "$target" = all ]; then
        swift build "${build_flags[@]}"
    else
        swift build "${build_flags[@]}" --product "$(product "$target")"
    fi
fi
bin=$(swift build "${build_flags[@]}" --show-bin-path)

# Swift's own crash backtracer would race AddressSanitizer's report.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

failed=()
summary=()
for name in "${targets[@]}"; do
    binary="$bin/$(product "$name")"
    if [ ! -x "$binary" ]; then
        echo "== $name: not built (Fuzz/Package.swift has no $(product "$name") target)" >&2
        summary+=("$name: not built")
        [ "$target" = all ] || failed+=("$name")
        continue
    fi
    seeds="Tests/Fuzz/$name"
    work=".build-fuzz/$name"
    mkdir -p "$work/corpus" "$work/crashes"
    limit=(-max_total_time="$seconds")
    budget="${seconds}s"
    if [ -n "${FUZZ_RUNS:-}" ]; then
        limit+=(-runs="$FUZZ_RUNS")
        budget="$budget or $FUZZ_RUNS runs"
    fi
    echo "== $name ($budget)"
    dictionary=()
    [ -f "Fuzz/Dictionaries/$name.dict" ] && dictionary=(-dict="Fuzz/Dictionaries/$name.dict")
    log="$work/last-run.log"
    status=0
    # New corpus entries go to the scratch corpus (the first directory);
    # the committed seeds are only read.
    # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
    "$binary" "${limit[@]}" -rss_limit_mb="$rss_limit" -timeout="$timeout" \
        -artifact_prefix="$work/crashes/" -print_final_stats=1 "${dictionary[@]}" ${FUZZ_ARGS:-} \
        "$work/corpus" "$seeds" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    line="$name: ${runs:-?} executions, ${speed:-?}/s"
    if [ "$status" -ne 0 ]; then
        grep -E "ERROR|Fatal error|SUMMARY" "$log" | head -5 >&2 || true
        artifact=$(sed -n "s/.*Test unit written to //p" "$log" | tail -1)
        line="$line, FAILED (exit $status${artifact:+; input saved to $artifact})"
        failed+=("$name")
    fi
    echo "$line (log: $log)"
    summary+=("$line")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "Failed: ${failed[*]}. Replay an input with: $bin/<Product> <file>" >&2
    exit 1
fi
