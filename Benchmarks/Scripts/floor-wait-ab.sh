#!/usr/bin/env bash
# The round trip of the no-library floor waiting in poll(2) and in
# epoll_wait(2), in one rotation with libstrophe and swift-xmpp's answering
# API, all in one Prosody lifetime: whether NIO's way of waiting (epoll)
# costs a client its wake-up (Benchmarks/README.md, session 37).
#
#   Benchmarks/Scripts/floor-wait-ab.sh [--reps R] [--roundtrip N] [--out DIR]
#
# Needs the binaries of a session-bench.sh invocation (its scratch
# directory, $BENCH_SCRATCH, default Benchmarks/.build-bench) and the
# floor from build-floor-bench.sh. Starts the project's Prosody and stops it
# on exit. Prints the medians over the runs and the paired ratios.
set -euo pipefail
bench=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$bench/.." && pwd)
scratch=${BENCH_SCRATCH:-$bench/.build-bench}
reps=10 roundtrip_n=1000 out=""
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=$2; shift 2 ;;
        --roundtrip) roundtrip_n=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "floor-wait-ab.sh: unknown option $1" >&2; usage 2 >&2 ;;
    esac
done
[ -n "$out" ] || out=$(mktemp -d /tmp/floor-wait-ab-XXXX)
mkdir -p "$out"
floor_bin=$scratch/floor_bench strophe=$scratch/strophe_bench swift_bin=$scratch/release/SessionBenchmark
for binary in "$floor_bin" "$strophe" "$swift_bin"; do
    [ -x "$binary" ] || { echo "floor-wait-ab.sh: $binary missing (run session-bench.sh and build-floor-bench.sh first)" >&2; exit 1; }
done

"$root/Scripts/prosody.sh" up >/dev/null
trap '"$root/Scripts/prosody.sh" down >/dev/null' EXIT
eval "$("$root/Scripts/prosody.sh" env)"
common=(--host "$XMPP_TEST_HOST" --port "$XMPP_TEST_PORT" --domain "$XMPP_TEST_DOMAIN" --ca "$XMPP_TEST_CA"
    --user user04 --password user04-password)

: > "$out/lines.txt"
for rep in $(seq "$reps"); do
    for client in poll epoll strophe answer; do
        samples=$out/rtt.$client.$rep.txt
        case $client in
            poll|epoll) line=$(timeout 300 "$floor_bin" roundtrip "$roundtrip_n" "${common[@]}" --wait "$client" --samples "$samples") ;;
            strophe) line=$(timeout 300 "$strophe" roundtrip "$roundtrip_n" "${common[@]}" --samples "$samples") ;;
            answer) line=$(timeout 300 "$swift_bin" roundtrip "$roundtrip_n" "${common[@]}" --api answer --samples "$samples") ;;
        esac
        echo "$rep $client $line" >> "$out/lines.txt"
    done
done

python3 - "$out/lines.txt" <<'EOF'
import collections, json, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    rep, client, record = line.split(" ", 2)
    runs[client][int(rep)] = json.loads(record)
reps = sorted(runs["poll"])
names = {"poll": "floor, poll(2)", "epoll": "floor, epoll_wait(2)", "strophe": "libstrophe", "answer": "swift-xmpp (answer API)"}
print(f"| client | round trip µs, median | p99 | client CPU µs / round trip |\n|---|---:|---:|---:|")
for client in ("poll", "epoll", "strophe", "answer"):
    med = lambda key: statistics.median(runs[client][r][key] for r in reps)
    print(f"| {names[client]} | {med('rtt_us_median'):.1f} | {med('rtt_us_p99'):.1f} | {med('cpu_us_per_op'):.1f} |")
diffs = [runs["epoll"][r]["rtt_us_median"] - runs["poll"][r]["rtt_us_median"] for r in reps]
print(f"\nepoll − poll, per run (µs): median {statistics.median(diffs):.1f}, range {min(diffs):.1f} to {max(diffs):.1f}")
for a, b in (("answer", "strophe"), ("epoll", "strophe"), ("poll", "strophe")):
    ratio = lambda key: statistics.median(runs[a][r][key] / runs[b][r][key] for r in reps)
    print(f"{names[a]} / {names[b]}, paired: median {ratio('rtt_us_median'):.2f}, p99 {ratio('rtt_us_p99'):.2f}")
EOF
echo "raw results: $out/lines.txt"
