#!/usr/bin/env bash
# Each client's receiver fed by each client's sender, in one rotation and one
# Prosody lifetime: whether our receiver's ratio to libstrophe's comes from
# the pairing of session-bench.sh's throughput block, where each receiver
# gets its own client's sender and so its own message rate
# (Benchmarks/README.md, session 39).
#
#   Benchmarks/Scripts/receiver-cross.sh [--reps R] [--throughput N]
#       [--receiver-cpu C] [--floor] [--out DIR]
#
# --floor adds the no-library C floor (Benchmarks/floor/floor_bench.c
# recv: GnuTLS, no parser) as a third receiver, fed by each sender like the
# others, and prints each client's receiver cost above it: what the
# library itself adds to what any receiver pays on this machine.
# --receiver-cpu C pins every receiver to CPU C and Prosody and every
# sender to the other CPUs, so that no receiver shares a CPU with the
# sender's or the server's work (whether a busier sender makes a receiver
# costlier by sharing its CPU). Needs the binaries of a session-bench.sh
# invocation (its scratch directory, $BENCH_SCRATCH, default
# Benchmarks/.build-bench). Starts the project's Prosody and stops it on
# exit. Prints, per receiver and sender, the median receiver CPU and rate,
# and the paired ratios of the receivers.
set -euo pipefail
bench=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$bench/.." && pwd)
scratch=${BENCH_SCRATCH:-$bench/.build-bench}
reps=6 throughput_n=20000 out="" receiver_cpu="" floor=0
usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=$2; shift 2 ;;
        --throughput) throughput_n=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --receiver-cpu) receiver_cpu=$2; shift 2 ;;
        --floor) floor=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "receiver-cross.sh: unknown option $1" >&2; usage 2 >&2 ;;
    esac
done
[ -n "$out" ] || out=$(mktemp -d /tmp/receiver-cross-XXXX)
mkdir -p "$out"
strophe=$scratch/strophe_bench swift_bin=$scratch/release/SessionBenchmark floor_bin=$scratch/floor_bench
for binary in "$strophe" "$swift_bin"; do
    [ -x "$binary" ] || { echo "receiver-cross.sh: $binary missing (run session-bench.sh first)" >&2; exit 1; }
done
if [ "$floor" = 1 ]; then
    [ -x "$floor_bin" ] || { echo "receiver-cross.sh: $floor_bin missing (Benchmarks/Scripts/build-floor-bench.sh builds it)" >&2; exit 1; }
fi
binary() {
    case $1 in
        swift) echo "$swift_bin" ;;
        floor) echo "$floor_bin" ;;
        *) echo "$strophe" ;;
    esac
}
receiver_pin=() sender_pin=()
if [ -n "$receiver_cpu" ]; then
    cpus=$(nproc)
    [[ "$receiver_cpu" =~ ^[0-9]+$ ]] && [ "$receiver_cpu" -lt "$cpus" ] && [ "$cpus" -ge 2 ] ||
        { echo "receiver-cross.sh: --receiver-cpu takes a CPU below $cpus, on a machine with two or more" >&2; exit 2; }
    others=$(seq 0 $((cpus - 1)) | grep -vx "$receiver_cpu" | paste -sd, -)
    receiver_pin=(taskset -c "$receiver_cpu") sender_pin=(taskset -c "$others")
fi

"$root/Scripts/prosody.sh" up >/dev/null
trap '"$root/Scripts/prosody.sh" down >/dev/null' EXIT
eval "$("$root/Scripts/prosody.sh" env)"
if [ -n "$receiver_cpu" ]; then
    taskset -apc "$others" "$(cat "${XMPP_TEST_PROSODY_DIR:-$root/.test-env/prosody}/prosody.pid")" >/dev/null ||
        { echo "receiver-cross.sh: could not pin Prosody to CPUs $others" >&2; exit 1; }
fi
common=(--host "$XMPP_TEST_HOST" --port "$XMPP_TEST_PORT" --domain "$XMPP_TEST_DOMAIN" --ca "$XMPP_TEST_CA")

# one REP RECEIVER SENDER: one run; appends "REP RECEIVER SENDER JSON".
one() {
    local rep=$1 receiver=$2 sender=$3 resource="cross-$2-$3-$1" ready=$out/ready receiver_pid i
    rm -f "$ready"
    # A fresh resource per run, as session-bench.sh does (Prosody may keep
    # an earlier session's full JID while it hibernates).
    "${receiver_pin[@]}" timeout 300 "$(binary "$receiver")" recv "$throughput_n" "${common[@]}" --user user02 --password user02-password \
        --resource "$resource" --ready-file "$ready" > "$out/recv.txt" &
    receiver_pid=$!
    for i in $(seq 300); do [ -f "$ready" ] && break; sleep 0.1; done
    [ -f "$ready" ] || { kill "$receiver_pid" 2>/dev/null || true; echo "receiver-cross.sh: receiver not ready" >&2; exit 1; }
    "${sender_pin[@]}" timeout 300 "$(binary "$sender")" send "$throughput_n" "${common[@]}" --user user01 --password user01-password \
        --to "user02@$XMPP_TEST_DOMAIN/$resource" > /dev/null
    wait "$receiver_pid"
    echo "$rep $receiver $sender $(cat "$out/recv.txt")" >> "$out/lines.txt"
}

: > "$out/lines.txt"
pairs=("strophe swift" "swift swift" "strophe strophe" "swift strophe")
[ "$floor" = 0 ] || pairs+=("floor swift" "floor strophe")
count=${#pairs[@]}
for rep in $(seq "$reps"); do
    # The pairs in a rotating order, so no pair always runs first.
    for k in $(seq 0 $((count - 1))); do
        read -r receiver sender <<< "${pairs[$(( (k + rep) % count ))]}"
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
if any(receiver == "floor" for receiver, _ in runs):
    def above(client, sender):
        # Per rep: the client's receiver cost minus the floor's, fed by the same sender.
        return [runs[(client, sender)][rep]["cpu_ms_per_10k"] - runs[("floor", sender)][rep]["cpu_ms_per_10k"]
                for rep in runs[(client, sender)]]
    print()
    print("Above the floor (receiver CPU ms / 10k minus the floor's in the same rep, median; paired ratio swift/strophe):")
    for sender in ("swift", "strophe"):
        ours, theirs = above("swift", sender), above("strophe", sender)
        ratio = statistics.median(a / b for a, b in zip(ours, theirs) if b > 0)
        print(f"  fed by the {sender} sender: swift {statistics.median(ours):.1f}, strophe {statistics.median(theirs):.1f}, ratio {ratio:.2f}")
print(f"raw results: {sys.argv[1]}")
EOF
