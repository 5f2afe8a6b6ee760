#!/usr/bin/env bash
# A diagnostic beside session-bench.sh: traces one round-trip run with
# ftrace (system calls that wait, read and write, and the scheduler's
# wake-ups and switches, system-wide) and prints where its time goes, per
# round trip, with roundtrip-trace.py. Nothing reads the trace while it is
# recorded, so the tracer costs the processes little (perf record -a did:
# its own reads of the ring buffer kept a CPU busy and changed the round
# trip).
#
#   Benchmarks/Scripts/roundtrip-trace.sh OUT COMM CLIENT-COMMAND...
#
# OUT: prefix of the files written (OUT.txt the trace, OUT.json the
# client's line). COMM: the start of the client thread's name that writes
# the messages (NIO for swift-xmpp's event loop, strophe_bench,
# floor_bench). Needs root and tracefs (/sys/kernel/tracing); a running
# Prosody (Scripts/prosody.sh up), whose process is found by its name
# (lua5.4) in the trace. Example:
#
#   eval "$(Scripts/prosody.sh env)"
#   Benchmarks/Scripts/roundtrip-trace.sh /tmp/rt.swift NIO Benchmarks/.build-bench/release/SessionBenchmark \
#     roundtrip 2000 --host "$XMPP_TEST_HOST" --port "$XMPP_TEST_PORT" --domain "$XMPP_TEST_DOMAIN" \
#     --ca "$XMPP_TEST_CA" --user user04 --password user04-password --system-roots off
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
out=$1 comm=$2; shift 2
tracing=/sys/kernel/tracing
[ -w "$tracing/trace" ] || { echo "roundtrip-trace.sh: needs root and tracefs at $tracing" >&2; exit 1; }
events=(sched:sched_waking sched:sched_wakeup sched:sched_switch)
for call in epoll_wait poll pselect6 read write writev sendto; do
    events+=("syscalls:sys_enter_$call" "syscalls:sys_exit_$call")
done
size_before=$(cat "$tracing/buffer_size_kb")
restore() {
    echo 0 > "$tracing/tracing_on"
    : > "$tracing/set_event"
    : > "$tracing/trace"
    echo "$size_before" > "$tracing/buffer_size_kb"
}
trap restore EXIT
echo 0 > "$tracing/tracing_on"
: > "$tracing/trace"
echo 65536 > "$tracing/buffer_size_kb"
printf '%s\n' "${events[@]}" > "$tracing/set_event"
echo 1 > "$tracing/tracing_on"
"$@" > "$out.json"
echo 0 > "$tracing/tracing_on"
cat "$tracing/trace" > "$out.txt"
cat "$out.json"
python3 "$(dirname "$0")/roundtrip-trace.py" "$out.txt" "$comm"
