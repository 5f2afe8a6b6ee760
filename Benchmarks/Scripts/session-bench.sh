#!/usr/bin/env bash
# Session benchmarks: swift-xmpp (Benchmarks/Sources/SessionBenchmark) side by
# side with libstrophe (Benchmarks/libstrophe/strophe_bench.c) against the
# project's local Prosody (Scripts/prosody.sh), in one invocation.
#
#   Benchmarks/Scripts/session-bench.sh [options]
#
# Options:
#   --reps R          runs per client and scenario, alternating the clients
#                     (default 5); medians over the runs are reported
#   --login N         sequential logins per run (default 50)
#   --roundtrip N     sequential round trips per run (default 1000)
#   --throughput N    messages per throughput run (default 20000)
#   --idle N          sessions held open at once per idle run (default 200)
#   --idle-parallel K logins in flight at most in the idle runs (default 32)
#   --idle-max N      after the other blocks, one swift-xmpp run that tries
#                     to hold N idle sessions (aim: 10000), counting failed
#                     logins instead of stopping (default: not run)
#   --idle-max-strophe  with --idle-max, one libstrophe run too (its select()
#                     loop caps it below FD_SETSIZE, 1024 descriptors)
#   --only LIST       comma-separated scenarios: login,roundtrip,throughput,
#                     idle (default all four); --only idle-max with
#                     --idle-max N runs that alone
#   --no-build        use the binaries already in the scratch directory
#                     ($BENCH_SCRATCH, default Benchmarks/.build-bench)
#   --wait SECONDS    how long to wait for somebody else's Prosody to stop
#                     (default 600)
#   --out DIR         where results.jsonl goes (default a new temp dir)
#   --no-sm           XEP-0198 off on both clients (default: each library's
#                     default, which is on for both)
#   --system-roots    swift-xmpp also trusts the system CA store, as
#                     libstrophe always does (default: the test CA only)
#   --prosody-gc MODE Lua's collector in Prosody: incremental (Prosody's
#                     default, the default here) or generational. With the
#                     incremental one Prosody stops for a few ms every
#                     10-20 messages, and the round trip's p99 is that pause
#                     (Benchmarks/README.md); generational shows the
#                     clients' own tail.
#   --one-cpu N       pins Prosody and both clients to CPU N (taskset), so
#                     that no message waits for another CPU to wake up; a
#                     diagnostic for the round trip (Benchmarks/README.md)
#   --apart           pins Prosody to CPU 0 and every client process to
#                     CPU 1: each message wakes the other CPU, as the free
#                     placement mostly does (a diagnostic beside --one-cpu)
#   --receiver-with-server
#                     pins Prosody and the throughput block's receivers to
#                     CPU 0, every other client process to CPU 1
#   --halt-poll NS    in a KVM guest whose idle driver is haltpoll: how long
#                     an idle vCPU polls before it halts, for this invocation
#                     (/sys/module/haltpoll/parameters/guest_halt_poll_ns;
#                     the kernel's default is 200000, this machine boots with
#                     0). The old value is put back on exit. A diagnostic for
#                     the round trip: with 0, every message that finds the
#                     other process asleep pays for waking a halted vCPU
#                     (Benchmarks/README.md). Needs root.
#   --floor           the round-trip block also runs the no-library C floor
#                     (Benchmarks/floor/floor_bench.c: GnuTLS, one record
#                     per message, no parser, XEP-0198 as set by --no-sm),
#                     third in the rotation; the table adds its medians and
#                     each client's paired ratio to it. What any client can
#                     reach against this Prosody on this machine.
#   --answer          the round-trip block also runs swift-xmpp with its
#                     answering API (SessionBenchmark --api answer:
#                     XMPPConnection.answerMessages answers each echo with
#                     the next message inside the read, as libstrophe's
#                     handler does), as client swift-xmpp-answer; the
#                     table adds its medians and paired ratios
#   --together        in the throughput block, both clients' sender and
#                     receiver run at the same time (libstrophe's pair on
#                     user05 -> user06), instead of one client after the
#                     other: both receivers see the same machine at the same
#                     moment, so each run's ratio does not depend on how
#                     the host's speed moved between two runs. Four busy
#                     processes and Prosody share the CPUs, so the absolute
#                     figures are not comparable with a default invocation.
#
# Every round-trip run also writes its round trips in order, in µs, to
# rtt.<client>.<run>.txt beside results.jsonl; the table counts those over
# 1 ms per 1,000 (the server's pauses).
#
# Installs nothing: needs libstrophe-dev, pkg-config, python3 (for the table
# and the idle accounts) and what Scripts/prosody.sh needs. Prosody is
# restarted before every scenario block (its per-message cost grows as
# accounts log in) and always stopped on exit. Root or sudo is needed by
# Scripts/prosody.sh. Prosody's ports and directory follow XMPP_TEST_PORT,
# XMPP_TEST_DIRECT_TLS_PORT and XMPP_TEST_PROSODY_DIR (see prosody.sh), so a
# second instance can run beside the default one. The idle accounts
# (idle00001...) are written into Prosody's data directory by
# idle-accounts.py; the descriptor limit is raised for the idle runs (the
# client and Prosody each need one per session).
set -euo pipefail

bench=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$bench/.." && pwd)
prosody=$repo/Scripts/prosody.sh
scratch=${BENCH_SCRATCH:-$bench/.build-bench}
prosody_dir=${XMPP_TEST_PROSODY_DIR:-$repo/.test-env/prosody}

reps=5 login_n=50 roundtrip_n=1000 throughput_n=20000 idle_n=200 idle_parallel=32 idle_max=0 idle_max_strophe=0
only=login,roundtrip,throughput,idle build=1 wait_limit=600 out="" sm=on system_roots=off prosody_gc=incremental one_cpu="" placement="" halt_poll="" together=0 floor=0 answer=0
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=$2; shift 2 ;;
        --login) login_n=$2; shift 2 ;;
        --roundtrip) roundtrip_n=$2; shift 2 ;;
        --throughput) throughput_n=$2; shift 2 ;;
        --idle) idle_n=$2; shift 2 ;;
        --idle-parallel) idle_parallel=$2; shift 2 ;;
        --idle-max) idle_max=$2; shift 2 ;;
        --idle-max-strophe) idle_max_strophe=1; shift ;;
        --only) only=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --wait) wait_limit=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --no-sm) sm=off; shift ;;
        --system-roots) system_roots=on; shift ;;
        --prosody-gc) prosody_gc=$2; shift 2 ;;
        --one-cpu) one_cpu=$2; shift 2 ;;
        --apart) placement=apart; shift ;;
        --receiver-with-server) placement=receiver-with-server; shift ;;
        --halt-poll) halt_poll=$2; shift 2 ;;
        --together) together=1; shift ;;
        --floor) floor=1; shift ;;
        --answer) answer=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "session-bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

say() { echo "session-bench: $*" >&2; }
die() { say "$*"; exit 1; }

# Where Prosody, the throughput receivers and the other client processes
# run: empty for wherever the scheduler puts them.
server_cpu="" receiver_cpu="" client_cpu=""
if [ -n "$one_cpu" ]; then
    [[ "$one_cpu" =~ ^[0-9]+$ ]] || die "--one-cpu takes a CPU number, not '$one_cpu'"
    [ -z "$placement" ] || die "--one-cpu and --$placement exclude each other"
    server_cpu=$one_cpu receiver_cpu=$one_cpu client_cpu=$one_cpu
fi
case "$placement" in
    apart) server_cpu=0 receiver_cpu=1 client_cpu=1 ;;
    receiver-with-server) server_cpu=0 receiver_cpu=0 client_cpu=1 ;;
esac
if [ -n "$server_cpu" ]; then
    command -v taskset >/dev/null || die "pinning needs taskset (apt-get install -y util-linux)"
    [ "$(nproc)" -ge 2 ] || [ -n "$one_cpu" ] || die "--$placement needs two CPUs"
fi

halt_poll_file=/sys/module/haltpoll/parameters/guest_halt_poll_ns
halt_poll_before=""
if [ -n "$halt_poll" ]; then
    [[ "$halt_poll" =~ ^[0-9]+$ ]] || die "--halt-poll takes nanoseconds, not '$halt_poll'"
    [ -w "$halt_poll_file" ] || die "--halt-poll needs $halt_poll_file (a KVM guest with the haltpoll idle driver) and root"
    halt_poll_before=$(cat "$halt_poll_file")
fi

case $prosody_gc in
    incremental | generational) export XMPP_TEST_PROSODY_GC=$prosody_gc ;;
    *) die "--prosody-gc takes incremental or generational, not '$prosody_gc'" ;;
esac

missing=()
command -v pkg-config >/dev/null || missing+=(pkg-config)
if command -v pkg-config >/dev/null && ! pkg-config --exists libstrophe; then missing+=(libstrophe-dev); fi
if [ ${#missing[@]} -gt 0 ]; then
    die "missing: ${missing[*]}; install with: apt-get update && apt-get install -y ${missing[*]}"
fi
command -v python3 >/dev/null || die "python3 is needed for the summary table: apt-get install -y python3"

strophe=$scratch/strophe_bench
floor_bin=$scratch/floor_bench
swift_bin=$scratch/release/SessionBenchmark
if [ "$build" = 1 ]; then
    say "building the libstrophe side"
    "$bench/Scripts/build-strophe-bench.sh" "$strophe" >/dev/null
    if [ "$floor" = 1 ]; then
        say "building the C floor"
        "$bench/Scripts/build-floor-bench.sh" "$floor_bin" >/dev/null
    fi
    say "building the Swift side (release)"
    (cd "$bench" && swift build -c release --product SessionBenchmark --scratch-path "$scratch" >&2)
fi
[ -x "$strophe" ] || die "$strophe missing (run without --no-build)"
[ -x "$swift_bin" ] || die "$swift_bin missing (run without --no-build)"
[ "$floor" = 0 ] || [ -x "$floor_bin" ] || die "$floor_bin missing (run without --no-build)"

out=${out:-$(mktemp -d /tmp/session-bench.XXXXXX)}
mkdir -p "$out"
results=$out/results.jsonl
: > "$results"

# Somebody else's Prosody (a test run) must finish first: never stop theirs.
waited=0
while "$prosody" status >/dev/null 2>&1; do
    [ "$waited" -ge "$wait_limit" ] && die "Prosody is running (someone else's?); not touching it. Retry when 'Scripts/prosody.sh status' says not running."
    [ "$waited" = 0 ] && say "Prosody is running already; waiting up to ${wait_limit}s for it to stop"
    sleep 5; waited=$((waited + 5))
done

started=0
stop_prosody() {
    if [ "$started" = 1 ]; then
        "$prosody" down >&2 || true
        started=0
    fi
}
restore_halt_poll() {
    if [ -n "$halt_poll_before" ]; then
        echo "$halt_poll_before" > "$halt_poll_file" || say "could not put $halt_poll_file back to $halt_poll_before"
        halt_poll_before=""
    fi
}
cleanup() { stop_prosody; restore_halt_poll; }
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "$halt_poll" ]; then
    echo "$halt_poll" > "$halt_poll_file" || die "could not write $halt_poll to $halt_poll_file"
fi

restart_prosody() {
    stop_prosody
    started=1
    "$prosody" up >&2
    eval "$("$prosody" env 2>/dev/null)"
    if [ -n "$server_cpu" ]; then
        taskset -apc "$server_cpu" "$(cat "$prosody_dir/prosody.pid")" >/dev/null || die "could not pin Prosody to CPU $server_cpu"
    fi
    common=(--host "$XMPP_TEST_HOST" --port "$XMPP_TEST_PORT" --domain "$XMPP_TEST_DOMAIN" --ca "$XMPP_TEST_CA" --sm "$sm")
}

# record REP ROLE JSON: appends the line with the run number and role.
record() {
    python3 -c 'import json,sys; d=json.loads(sys.argv[3]); d["rep"]=int(sys.argv[1]); d["role"]=sys.argv[2]; print(json.dumps(d))' \
        "$1" "$2" "$3" >> "$results"
}


# run CLIENT ARGS...: the client's binary with its side-specific options.
# Always called in a subshell ($(...) or &), so exec keeps $! the client's
# own (timeout's) PID.
run() {
    local client=$1; shift
    local limit=${idle_timeout:-300}
    # role=receiver (set by start_receiver) picks the receivers' CPU.
    local cpu=$client_cpu pin=()
    [ "${role:-}" = receiver ] && cpu=$receiver_cpu
    [ -n "$cpu" ] && pin=(taskset -c "$cpu")
    if [ "$client" = libstrophe ]; then
        exec "${pin[@]}" timeout "$limit" "$strophe" "$@"
    elif [ "$client" = c-floor ]; then
        exec "${pin[@]}" timeout "$limit" "$floor_bin" "$@"
    elif [ "$client" = swift-xmpp-answer ]; then
        exec "${pin[@]}" timeout "$limit" "$swift_bin" "$@" --system-roots "$system_roots" --api answer
    else
        exec "${pin[@]}" timeout "$limit" "$swift_bin" "$@" --system-roots "$system_roots"
    fi
}

# The two clients in alternating order: odd runs libstrophe first.
clients_for() { if [ $(($1 % 2)) = 1 ]; then echo "libstrophe swift-xmpp"; else echo "swift-xmpp libstrophe"; fi; }

# The round-trip block's clients with --floor and --answer: each in turn
# first, in a rotation of libstrophe, swift-xmpp[, c-floor][, swift-xmpp-answer].
roundtrip_clients_for() {
    local all=(libstrophe swift-xmpp) n i
    [ "$floor" = 1 ] && all+=(c-floor)
    [ "$answer" = 1 ] && all+=(swift-xmpp-answer)
    n=${#all[@]}
    for i in $(seq 0 $((n - 1))); do
        printf '%s ' "${all[$(( ($1 - 1 + i) % n ))]}"
    done
}

run_login() {
    local rep=$1 client=$2 line
    line=$(run "$client" login "$login_n" "${common[@]}" --user user03 --password user03-password) \
        || die "$client login run $rep failed"
    record "$rep" login "$line"
}

run_roundtrip() {
    local rep=$1 client=$2 line
    line=$(run "$client" roundtrip "$roundtrip_n" "${common[@]}" --user user04 --password user04-password \
        --samples "$out/rtt.$client.$rep.txt") || die "$client roundtrip run $rep failed"
    line=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=[float(x) for x in open(sys.argv[2]).read().split()]
d["over_1ms_per_1000"]=round(1000*sum(1 for x in v if x>1000)/len(v),1); print(json.dumps(d))' "$line" "$out/rtt.$client.$rep.txt") \
        || die "$client roundtrip run $rep: no samples"
    record "$rep" roundtrip "$line"
}

# The throughput block's accounts, "SENDER RECEIVER": user01 -> user02, and
# for libstrophe's pair in --together runs user05 -> user06, so that neither
# receiver sees the other's messages.
throughput_accounts() {
    if [ "$together" = 1 ] && [ "$1" = libstrophe ]; then echo "user05 user06"; else echo "user01 user02"; fi
}

# start_receiver REP CLIENT: the client's receiver in the background, its
# line into recv.CLIENT.REP; sets receiver_pid.
start_receiver() {
    local rep=$1 client=$2 sender receiver
    read -r sender receiver <<< "$(throughput_accounts "$client")"
    rm -f "$out/ready.$client.$rep"
    # A resource of its own per run: libstrophe asks for resumable
    # sessions, and Prosody keeps one that ended without a clean close for
    # a while, holding its full JID; messages to a reused resource went to
    # that hibernating session (seen: libstrophe's receiver run right after
    # another libstrophe run got nothing).
    role=receiver run "$client" recv "$throughput_n" "${common[@]}" --user "$receiver" --password "$receiver-password" \
        --resource "bench-$client-$rep" --ready-file "$out/ready.$client.$rep" > "$out/recv.$client.$rep" &
    receiver_pid=$!
}

# receivers_ready REP CLIENT...: waits up to 30 s for each client's receiver
# to signal that it is logged in; fails if one does not.
receivers_ready() {
    local rep=$1 i client waiting; shift
    for i in $(seq 300); do
        waiting=0
        for client in "$@"; do [ -f "$out/ready.$client.$rep" ] || waiting=1; done
        [ "$waiting" = 0 ] && return 0
        sleep 0.1
    done
    return 1
}

# run_sender REP CLIENT: the client's sender to its receiver of this run;
# prints the sender's line.
run_sender() {
    local rep=$1 client=$2 sender receiver
    read -r sender receiver <<< "$(throughput_accounts "$client")"
    run "$client" send "$throughput_n" "${common[@]}" --user "$sender" --password "$sender-password" \
        --to "$receiver@$XMPP_TEST_DOMAIN/bench-$client-$rep"
}

run_throughput() {
    local rep=$1 client=$2 receiver_pid send_line
    start_receiver "$rep" "$client"
    receivers_ready "$rep" "$client" || { kill "$receiver_pid" 2>/dev/null || true; die "$client receiver not ready"; }
    send_line=$(run_sender "$rep" "$client") \
        || { kill "$receiver_pid" 2>/dev/null || true; die "$client sender run $rep failed"; }
    wait "$receiver_pid" || die "$client receiver run $rep failed"
    record "$rep" sender "$send_line"
    record "$rep" receiver "$(cat "$out/recv.$client.$rep")"
}

# run_throughput_together REP: both clients' pairs at once (--together): the
# receivers first, the senders once both are ready. A failure stops every
# process of the run still going, not only its own.
run_throughput_together() {
    local rep=$1 client receiver_pid
    local -A recv_pid send_pid
    for client in $(clients_for "$rep"); do
        start_receiver "$rep" "$client"
        recv_pid[$client]=$receiver_pid
    done
    receivers_ready "$rep" swift-xmpp libstrophe \
        || { kill "${recv_pid[@]}" 2>/dev/null || true; die "together run $rep: a receiver was not ready"; }
    for client in $(clients_for "$rep"); do
        run_sender "$rep" "$client" > "$out/send.$client.$rep" &
        send_pid[$client]=$!
    done
    for client in swift-xmpp libstrophe; do
        wait "${send_pid[$client]}" \
            || { kill "${recv_pid[@]}" "${send_pid[@]}" 2>/dev/null || true; die "$client sender run $rep failed"; }
        wait "${recv_pid[$client]}" \
            || { kill "${recv_pid[@]}" "${send_pid[@]}" 2>/dev/null || true; die "$client receiver run $rep failed"; }
        record "$rep" sender "$(cat "$out/send.$client.$rep")"
        record "$rep" receiver "$(cat "$out/recv.$client.$rep")"
    done
}

# raise_fd_limit N: lets this shell's children (the clients, and Prosody,
# which prosody.sh starts from here) open N descriptors.
raise_fd_limit() {
    local want=$1
    [ "$(ulimit -n)" -ge "$want" ] && return 0
    ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    [ "$(ulimit -n)" -ge "$want" ] || say "note: descriptor limit $(ulimit -n) < $want (hard limit; raise it as root)"
}

# idle_accounts N: idle00001..N on the running Prosody.
idle_accounts() {
    python3 "$bench/Scripts/idle-accounts.py" --data-dir "$prosody_dir/data" --domain "$XMPP_TEST_DOMAIN" --count "$1" \
        || die "could not write the idle accounts"
}

# run_idle REP CLIENT: N sessions at once (side by side with the other client).
run_idle() {
    local rep=$1 client=$2 line
    line=$(run "$client" idle "$idle_n" "${common[@]}" --user idle --password -password --parallel "$idle_parallel") \
        || die "$client idle run $rep failed"
    record "$rep" idle "$line"
}

# run_idle_max CLIENT: as many sessions as will come up, up to --idle-max.
run_idle_max() {
    local client=$1 line
    line=$(idle_timeout=3600 run "$client" idle "$idle_max" "${common[@]}" --user idle --password -password \
        --parallel "$idle_parallel" --best-effort on) || die "$client idle-max run failed"
    record 1 idle-max "$line"
}

# The idle runs need a descriptor per session in the client and in Prosody.
case ",$only," in *,idle,*) raise_fd_limit $((idle_n + 1024)) ;; esac
[ "$idle_max" -gt 0 ] && raise_fd_limit $((idle_max + 1024))

say "load average before: $(cut -d' ' -f1-3 /proc/loadavg); Prosody's collector: $prosody_gc${one_cpu:+; everything on CPU $one_cpu}${placement:+; placement $placement (Prosody on CPU $server_cpu, receivers on $receiver_cpu, other clients on $client_cpu)}$( [ "$together" = 1 ] && echo "; throughput pairs run together"); idle vCPUs poll for $(cat "$halt_poll_file" 2>/dev/null || echo '?') ns before halting"
for scenario in login roundtrip throughput idle; do
    case ",$only," in *",$scenario,"*) ;; *) continue ;; esac
    say "scenario $scenario: restarting Prosody"
    restart_prosody
    [ "$scenario" = idle ] && idle_accounts "$idle_n"
    for rep in $(seq 1 "$reps"); do
        if [ "$scenario" = throughput ] && [ "$together" = 1 ]; then
            say "throughput run $rep/$reps: both clients at once"
            run_throughput_together "$rep"
            continue
        fi
        clients=$(clients_for "$rep")
        [ "$scenario" = roundtrip ] && { [ "$floor" = 1 ] || [ "$answer" = 1 ]; } && clients=$(roundtrip_clients_for "$rep")
        for client in $clients; do
            say "$scenario run $rep/$reps: $client"
            "run_$scenario" "$rep" "$client"
        done
    done
done
if [ "$idle_max" -gt 0 ]; then
    say "scenario idle-max ($idle_max sessions): restarting Prosody"
    restart_prosody
    idle_accounts "$idle_max"
    say "idle-max run: swift-xmpp"
    run_idle_max swift-xmpp
    if [ "$idle_max_strophe" = 1 ]; then
        # Prosody again: the first run's 10,000 logins are not the second's.
        restart_prosody
        idle_accounts "$idle_max"
        say "idle-max run: libstrophe"
        run_idle_max libstrophe
    fi
fi
stop_prosody
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
say "raw results: $results"

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(role, client, key):
    v = [r[key] for r in rows if r["role"] == role and r["client"] == client]
    return (statistics.median(v), len(v)) if v else (None, 0)
metrics = [
    ("login", "wall ms / login", "wall_ms_per_op", "lower"),
    ("login", "login wall ms, median login", "wall_ms_median", "lower"),
    ("login", "login wall ms, p99 login", "wall_ms_p99", "lower"),
    ("login", "client CPU ms / login", "cpu_ms_per_op", "lower"),
    ("roundtrip", "round trip µs, median", "rtt_us_median", "lower"),
    ("roundtrip", "round trip µs, p99", "rtt_us_p99", "lower"),
    ("roundtrip", "round trips over 1 ms, per 1,000", "over_1ms_per_1000", "lower"),
    ("roundtrip", "client CPU µs / round trip", "cpu_us_per_op", "lower"),
    ("receiver", "throughput msgs/s (receiver)", "msgs_per_s", "higher"),
    ("sender", "sender CPU ms / 10k msgs", "cpu_ms_per_10k", "lower"),
    ("receiver", "receiver CPU ms / 10k msgs", "cpu_ms_per_10k", "lower"),
    ("sender", "sender wall s (incl. close)", "wall_s", "lower"),
    ("idle", "idle: KiB RSS / session", "kib_per_session", "lower"),
    ("idle", "idle: KiB heap in use / session", "heap_kib_per_session", "lower"),
    ("idle", "idle: peak RSS KiB (VmHWM)", "hwm_kib", "lower"),
    ("idle", "idle: login wall s, all sessions", "login_wall_s", "lower"),
    ("idle", "idle: client CPU ms / login", "login_cpu_ms_per_session", "lower"),
]
print()
def paired(role, key, client="swift-xmpp", reference="libstrophe"):
    # Each run's ratio to the reference client's run of the same number
    # (they ran back to back), then the median: steadier than the ratio of
    # medians when the machine speeds up or slows down during a block.
    by_rep = {}
    for r in rows:
        if r["role"] == role and key in r:
            by_rep.setdefault(r["rep"], {})[r["client"]] = r[key]
    ratios = [p[client] / p[reference] for p in by_rep.values()
              if p.get(reference) and client in p]
    return statistics.median(ratios) if ratios else None
print("| metric | runs | libstrophe (median) | swift-xmpp (median) | swift/strophe | paired | better |")
print("|---|---:|---:|---:|---:|---:|---|")
for role, label, key, better in metrics:
    c, nc = med(role, "libstrophe", key)
    s, ns = med(role, "swift-xmpp", key)
    if c is None and s is None:
        continue
    ratio = f"{s / c:.2f}" if c and s is not None else "–"
    pair = paired(role, key)
    pair = "–" if pair is None else f"{pair:.2f}"
    fmt = lambda v: "–" if v is None else (f"{v:,.1f}" if v >= 100 else f"{v:.3f}")
    print(f"| {label} | {min(nc, ns)} | {fmt(c)} | {fmt(s)} | {ratio} | {pair} | {better} |")
print("\nswift/strophe: ratio of the medians; paired: median of each run's ratio to the other client's run of the same number.")
def paired_text(client, reference, key):
    ratio = paired("roundtrip", key, client, reference)
    return "–" if ratio is None else f"{ratio:.2f}"
if any(r["client"] == "swift-xmpp-answer" for r in rows):
    print("\nswift-xmpp answering inside the read (--answer), round-trip block:\n")
    print("| metric | swift-xmpp-answer (median) | answer / strophe, paired | answer / swift-xmpp (streams), paired |")
    print("|---|---:|---:|---:|")
    for role, label, key, better in metrics:
        if role != "roundtrip":
            continue
        a, _ = med("roundtrip", "swift-xmpp-answer", key)
        print(f"| {label} | {a:,.1f} | {paired_text('swift-xmpp-answer', 'libstrophe', key)} | "
              f"{paired_text('swift-xmpp-answer', 'swift-xmpp', key)} |")
if any(r["client"] == "c-floor" for r in rows):
    print("\nThe no-library C floor (--floor), round-trip block:\n")
    answering = any(r["client"] == "swift-xmpp-answer" for r in rows)
    print("| metric | C floor (median) | libstrophe / floor, paired | swift-xmpp / floor, paired |"
          + (" swift-xmpp-answer / floor, paired |" if answering else ""))
    print("|---|---:|---:|---:|" + ("---:|" if answering else ""))
    for role, label, key, better in metrics:
        if role != "roundtrip":
            continue
        f, _ = med("roundtrip", "c-floor", key)
        print(f"| {label} | {f:,.1f} | {paired_text('libstrophe', 'c-floor', key)} | {paired_text('swift-xmpp', 'c-floor', key)} |"
              + (f" {paired_text('swift-xmpp-answer', 'c-floor', key)} |" if answering else ""))
idle = [r for r in rows if r["role"] == "idle"]
if idle:
    print(f"\nidle: {idle[0]['n']} sessions per run, {idle[0]['parallel']} logins in flight at most")
big = [r for r in rows if r["role"] == "idle-max"]
if big:
    print()
    print("| idle-max run | asked | up | failed | dropped | KiB RSS / session | KiB heap / session | RSS after MiB | login wall s | logins/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in big:
        up = f"{r['up']:,}" + (" (select() cap)" if r.get("capped_at_fd_setsize") else "")
        print(f"| {r['client']} | {r['n']:,} | {up} | {r['failed']} | {r['dropped']} | {r['kib_per_session']:.1f} | "
              f"{r['heap_kib_per_session']:.1f} | {r['rss_after_kib'] / 1024:,.0f} | {r['login_wall_s']:.1f} | {r['logins_per_s']:.0f} |")
PY
