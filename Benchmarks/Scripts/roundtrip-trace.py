#!/usr/bin/env python3
"""Where a traced round-trip run's time goes (see roundtrip-trace.sh).

    roundtrip-trace.py TRACE COMM [MIN_BYTES]

TRACE: ftrace's text output; COMM: the start of the name of the client
thread that writes the messages. Prosody is the process named lua5.4 with
the most events. The first tenth of the client's writes (login, warm-up)
is left out. Prints medians per round trip, in µs.

MIN_BYTES (default 100): writes shorter than this are not messages but
XEP-0198 traffic on its own (libstrophe writes each <r/> and <a/> in a
TLS record of 48-57 bytes; a message and its echo take 246-334), and are
not taken for a round trip's message or echo. `writev` has no byte count
among its arguments and always counts.
"""
import collections
import re
import statistics
import sys

LINE = re.compile(r'^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(\w+)(.*)$')
WAITS = ('sys_epoll_wait', 'sys_poll', 'sys_pselect6')
WRITES = ('sys_write', 'sys_writev', 'sys_sendto')
WRITTEN = re.compile(r'(?:count|len): (0x[0-9a-f]+)')


def is_message_write(name, rest, min_bytes):
    """Whether an event is the start of a write of at least min_bytes."""
    if name not in WRITES or '->' in rest:
        return False
    written = WRITTEN.search(rest)
    return written is None or int(written.group(1), 16) >= min_bytes


def load(path):
    events = []
    with open(path) as trace:
        for line in trace:
            match = LINE.match(line)
            if match:
                comm, pid, _, time, name, rest = match.groups()
                events.append((float(time), comm, int(pid), name, rest))
    return events


def median(values):
    return f"{statistics.median(values):7.1f}" if values else "      –"


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    events = load(sys.argv[1])
    prefix = sys.argv[2]
    min_bytes = int(sys.argv[3]) if len(sys.argv) == 4 else 100
    writers = collections.Counter(pid for _, comm, pid, name, rest in events
                                  if name in WRITES and '->' not in rest and comm.startswith(prefix))
    if not writers:
        sys.exit(f"no writes by a thread named {prefix}* in the trace")
    client = writers.most_common(1)[0][0]
    servers = collections.Counter(pid for _, comm, pid, _, _ in events if comm.startswith('lua'))
    if not servers:
        sys.exit("no Prosody (lua5.4) in the trace")
    server = servers.most_common(1)[0][0]

    # The client's own path: from its wait returning to its next write, and
    # from its last write to its next wait.
    to_write, after_write = [], []
    woke = wrote = None
    # Per client write: Prosody's wake-up, its start on a CPU, its next write.
    trips = []
    for time, comm, pid, name, rest in events:
        trip = trips[-1] if trips else {}
        # The client's write wakes Prosody in the client's own context.
        if name == 'sched_waking' and f'pid={server} ' in rest and 'echo' not in trip:
            trip.setdefault('server_woken', time)
        # Prosody runs again when its wait returns (sched_switch events of
        # a woken idle CPU are not always in the trace).
        elif pid == server and name in WAITS and '->' in rest and 'echo' not in trip and 'server_woken' in trip:
            trip.setdefault('server_running', time)
        if pid == client:
            if name in WAITS and '->' in rest:
                woke = time
            elif name in WAITS:
                if wrote is not None:
                    after_write.append(time - wrote)
                    wrote = None
            elif is_message_write(name, rest, min_bytes):
                if woke is not None:
                    to_write.append(time - woke)
                    woke = None
                wrote = time
                trips.append({'write': time})
        elif trips and pid == server and is_message_write(name, rest, min_bytes):
            trip.setdefault('echo', time)
    skip = len(trips) // 10
    trips = trips[skip:]
    to_write = to_write[len(to_write) // 10:]
    after_write = after_write[len(after_write) // 10:]
    us = lambda seconds: seconds * 1e6
    woken = [t for t in trips if 'server_woken' in t]
    running = [t for t in trips if 'server_running' in t and 'echo' in t]
    pairs = list(zip(trips, trips[1:]))
    print(f"client writes {len(trips)}; Prosody woken by {len(woken)} of them "
          f"(else it was busy or runnable already); running again after {len(running)}")
    print(f"{median([us(x) for x in to_write])}  client: wait returns -> its next write")
    print(f"{median([us(x) for x in after_write])}  client: its write -> waiting again")
    print(f"{median([us(t['server_woken'] - t['write']) for t in woken])}  client's write -> Prosody woken")
    print(f"{median([us(t['server_running'] - t['server_woken']) for t in woken if 'server_running' in t])}"
          "  Prosody woken -> its wait returns")
    print(f"{median([us(t['echo'] - t['server_running']) for t in running])}  Prosody's wait returns -> its write of the echo")
    print(f"{median([us(t['echo'] - t['write']) for t in trips if 'echo' in t])}"
          "  client's write -> Prosody's write of the echo (asleep or not)")
    print(f"{median([us(b['write'] - a['echo']) for a, b in pairs if 'echo' in a])}  Prosody's write -> the client's next write")
    print(f"{median([us(b['write'] - a['write']) for a, b in pairs])}  client write to client write")


if __name__ == '__main__':
    main()
