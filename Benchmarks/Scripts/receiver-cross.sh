#!/usr/bin/env bash
# Each client's receiver fed by each client's sender, in one rotation and one
# Prosody lifetime: whether our receiver's ratio to libstrophe's comes from
# the pairing of session-bench.sh's throughput block, where each receiver
# gets its own client's sender and so its own message rate
# (Benchmarks/README.md, session 39).
#
#   Benchmarks/Scripts/receiver-cross.sh [--reps R] [--throughput N] [--out DIR]
#
# Needs the binaries of a session-bench.sh invocation (its scratch
# directory, $BENCH_SCRATCH, default Benchmarks/.build-bench). Starts the
# project's Prosody and stops it on exit. Prints, per receiver and sender,
# the median receiver CPU and rate, and the paired ratios of the receivers.
set -euo pipefail
bench=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$bench/.." && pwd)
scratch=${BENCH_SCRATCH:-$bench/.build-bench}
reps=6 throughput_n=20000 out=""
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=$2; shift 2 ;;
        --throughput) throughput_n=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "receiver-cross.sh: unknown option $1" >&2; usage 2 >&2 ;;
    esac
done
[ -n "$out" ] || out=$(mktemp -d /tmp/receiver-cross-XXXX)
mkdir -p "$out"
strophe=$scratch/strophe_bench swift_bin=$scratch/release/SessionBenchmark
for binary in "$strophe" "$swift_bin"; do
    [ -x "$binary" ] || { echo "receiver-cross.sh: $binary missing (run session-bench.sh first)" >&2; exit 1; }
done
binary() { if [ "$1" = swift ]; then echo "$swift_bin"; else echo "$strophe"; fi; }

"$root/Scripts/prosody.sh" up >/dev/null
trap '"$root/Scripts/prosody.sh" down >/dev/null' EXIT
eval "$("$root/Scripts/prosody.sh" env)"
common=(--host "$XMPP_TEST_HOST" --port "$XMPP_TEST_PORT" --domain "$XMPP_TEST_DOMAIN" --ca "$XMPP_TEST_CA")

# one REP RECEIVER SENDER: one run; appends "REP RECEIVER SENDER JSON".
one() {
    local rep=$1 receiver=$2 sender=$3 resource="cross-$2-$3-$1" ready=$out/ready receiver_pid i
    rm -f "$ready"
    # A fresh resource per run, as session-bench.sh does (Prosody may keep
    # an earlier session's full JID while it hibernates).
    timeout 300 "$(binary "$receiver")" recv "$throughput_n" "${common[@]}" --user user02 --password user02-password \
        --resource "$resource" --ready-file "$ready" > "$out/recv.txt" &
    receiver_pid=$!
    for i in $(seq 300); do [ -f "$ready" ] && break; sleep 0.1; done
    [ -f "$ready" ] || { kill "$receiver_pid" 2>/dev/null || true; echo "receiver-cross.sh: receiver not ready" >&2; exit 1; }
    timeout 300 "$(binary "$sender")" send "$throughput_n" "${common[@]}" --user user01 --password user01-password \
        --to "user02@$XMPP_TEST_DOMAIN/$resource" > /dev/null
    wait "$receiver_pid"
    echo "$rep $receiver $sender $(cat "$out/recv.txt")" >> "$out/lines.txt"
}

: > "$out/lines.txt"
pairs=("strophe swift" "swift swift" "strophe strophe" "swift strophe")
for rep in $(seq "$reps"); do
    # The four pairs in a rotating order, so no pair always runs first.
    for k in 0 1 2 3; do
        read -r receiver sender <<< "${pairs[$(( (k + rep) % 4 ))]}"
        one "$rep" "$receiver" "$sender"
    done
done

python3 - "$out/lines.txt" <<'EOF'
import collections, json, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    rep, receiver, sender, record = line.split(" ", 3)
    runs[(receiver, sender)][int(rep)] = json.loads(record)
print("| receiver | sender | runs | receiver CPU ms / 10k (median) | msgs/s (median) |")
print("|---|---|---:|---:|---:|")
for (receiver, sender), by_rep in sorted(runs.items()):
    cpu = statistics.median(r["cpu_ms_per_10k"] for r in by_rep.values())
    rate = statistics.median(r["msgs_per_s"] for r in by_rep.values())
    print(f"| {receiver} | {sender} | {len(by_rep)} | {cpu:.1f} | {rate:,.0f} |")
def paired(ours, theirs):
    ratios = [runs[ours][rep]["cpu_ms_per_10k"] / runs[theirs][rep]["cpu_ms_per_10k"] for rep in runs[ours]]
    return statistics.median(ratios)
print()
print(f"swift receiver / strophe receiver, paired: both fed by the swift sender "
      f"{paired(('swift', 'swift'), ('strophe', 'swift')):.2f}; both by the strophe sender "
      f"{paired(('swift', 'strophe'), ('strophe', 'strophe')):.2f}; each by its own "
      f"{paired(('swift', 'swift'), ('strophe', 'strophe')):.2f}")
print(f"raw results: {sys.argv[1]}")
EOF
