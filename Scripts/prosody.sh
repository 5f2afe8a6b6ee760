#!/usr/bin/env bash
# A throwaway Prosody on loopback for swift-xmpp's integration tests and demo.
#
#   Scripts/prosody.sh up       start it (installing prosody if missing), make
#                               the test accounts; a no-op when it already runs
#   Scripts/prosody.sh down     stop it (only the process that `up` started)
#   Scripts/prosody.sh status   say whether it runs (exit 0) or not (exit 3)
#   Scripts/prosody.sh env      print `export` lines for the tests:
#                               eval "$(Scripts/prosody.sh env)"
#
# Environment (read by `up`; `env` and `status` report what `up` used):
#   XMPP_TEST_PORT             c2s port, STARTTLS required (default 15222)
#   XMPP_TEST_DIRECT_TLS_PORT  XEP-0368 direct TLS port (default 15223)
#   XMPP_TEST_DOMAIN           the VirtualHost (default xmpp.test; another
#                              domain gets its own certificate from the test CA)
#                              A second VirtualHost, plain.<domain>, stores
#                              passwords in plain text (internal_plain), so
#                              Prosody offers SCRAM-SHA-256 there too; it has
#                              the same accounts and its own certificate.
#                              A third, tls12.<domain>, speaks only TLS 1.2
#                              on the STARTTLS port (Prosody picks its TLS
#                              context by the stream's `to`), where Prosody
#                              offers SCRAM-SHA-1-PLUS with tls-unique; it has
#                              the same accounts (internal_hashed) and its own
#                              certificate. On the direct TLS port SNI selects
#                              only its certificate: the version is still
#                              TLS 1.3 there (OpenSSL settles the version
#                              before the SNI callback switches contexts).
#                              A fourth, noresume.<domain>, forgets an XEP-0198
#                              session a second after its connection drops
#                              (smacks_hibernation_time = 1; 0 would mean
#                              never), so a client that waits longer is
#                              always refused; same accounts.
#   XMPP_TEST_PROSODY_DIR      where config, data, certs, log and pid file live
#                              (default <repo>/.test-env/prosody; the prosody
#                              user must be able to reach it)
#   XMPP_TEST_LOG_LEVEL        Prosody's minimum log level (default info)
#   XMPP_TEST_PROSODY_GC       Lua's collector mode: incremental (Prosody's
#                              default) or generational; the benchmarks use it
#                              to see the server's collector pauses apart
#
# Everything lives in XMPP_TEST_PROSODY_DIR: prosody.cfg.lua (rewritten by
# each fresh `up`), data/ (emptied by each fresh `up`, so every run starts
# from the same accounts), certs/, prosody.log, prosody.pid (the PID that `up`
# recorded) and instance.env (the settings of the running instance).
# The server listens on loopback only, without s2s or HTTP. A system-wide
# Prosody, if the package started one, is never touched: ours only uses
# other ports.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/test-pki.sh
. "$repo/Scripts/lib/test-pki.sh"

host=127.0.0.1
port=${XMPP_TEST_PORT:-15222}
tls_port=${XMPP_TEST_DIRECT_TLS_PORT:-15223}
domain=${XMPP_TEST_DOMAIN:-xmpp.test}
plain_domain=plain.$domain
tls12_domain=tls12.$domain
noresume_domain=noresume.$domain
log_level=${XMPP_TEST_LOG_LEVEL:-info}
gc_mode=${XMPP_TEST_PROSODY_GC:-incremental}
certs_dir=$repo/.test-env/certs
dir=${XMPP_TEST_PROSODY_DIR:-$repo/.test-env/prosody}
config=$dir/prosody.cfg.lua
pid_file=$dir/prosody.pid
state_file=$dir/instance.env
log_file=$dir/prosody.log
accounts=(alice:alice-password bob:bob-password carol:carol-password echo:echo-password)
# A pool on the main VirtualHost only, so that test areas that depend on who
# is online or subscribed (presence, chat, blocking...) each use their own
# accounts and can run in parallel: user01..user28, password userNN-password.
pool_accounts=()
for n in $(seq -w 1 28); do pool_accounts+=("user$n:user$n-password"); done
start_timeout=10   # seconds for the ports to open
stop_timeout=10    # seconds for a graceful stop before SIGKILL

# Modules to enable, each only if this Prosody ships it (mam may be absent).
wanted_modules=(roster saslauth tls disco carbons pep private blocklist vcard4 vcard_legacy
    version uptime time ping register smacks csi_simple mam posix)
module_dir=/usr/lib/prosody/modules

die() { echo "prosody.sh: $*" >&2; exit 1; }
say() { echo "prosody.sh: $*"; }

# shq VALUE: VALUE quoted for a POSIX shell.
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# lua_string VALUE: VALUE as a Lua string literal.
lua_string() {
    local s=${1//\\/\\\\}
    printf '"%s"' "${s//\"/\\\"}"
}

# is_ours PID: PID is a live Prosody started with our config. A zombie or a
# reused PID has another (or an empty) command line, so it does not count.
is_ours() {
    local pid=$1 cmdline
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    cmdline=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ "$cmdline" == *prosody*" --config $config"* ]]
}

# alive PID: PID exists and is not a zombie (kill -0 succeeds on zombies).
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# running_pid: prints the PID from our pid file when it is a live Prosody of
# ours; fails otherwise.
running_pid() {
    local pid
    [ -f "$pid_file" ] || return 1
    pid=$(cat "$pid_file" 2>/dev/null) || return 1
    is_ours "$pid" || return 1
    echo "$pid"
}

# port_open PORT: something accepts TCP connections on $host:PORT.
port_open() {
    (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null
}

# load_state: the settings the running (or last) instance was started with.
load_state() {
    if [ -f "$state_file" ]; then
        # shellcheck disable=SC1090
        . "$state_file"
        port=$STATE_PORT tls_port=$STATE_DIRECT_TLS_PORT domain=$STATE_DOMAIN
    fi
}

need_root() {
    [ "$(id -u)" -eq 0 ] && return 0
    command -v sudo >/dev/null || die "'$1' needs root (Prosody must be started as the prosody user)"
    exec sudo --preserve-env=XMPP_TEST_PORT,XMPP_TEST_DIRECT_TLS_PORT,XMPP_TEST_DOMAIN,XMPP_TEST_PROSODY_DIR,XMPP_TEST_LOG_LEVEL \
        "$0" "$@"
}

# lock: one `up` or `down` at a time (the lock file sits beside the state dir,
# which a fresh `up` rewrites).
lock() {
    mkdir -p "$(dirname "$dir")"
    exec 8>"$dir.lock"
    flock 8
}

# ipv6_loopback: ::1 is configured here (containers often lack IPv6).
ipv6_loopback() {
    grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null
}

# write_certs: the server certificate (chain) and key for $domain, readable by
# prosody, as certs/$domain.crt and .key (names Prosody's certificate index
# also finds by itself).
write_certs() {
    "$repo/Scripts/generate-test-certs.sh" "$certs_dir"
    rm -rf "$dir/certs"   # no certificate of an earlier domain lingers in the index
    mkdir -p "$dir/certs"
    local crt=$dir/certs/$domain.crt key=$dir/certs/$domain.key
    if [ "$domain" = xmpp.test ]; then
        cp "$certs_dir/server-chain.pem" "$crt"
        cp "$certs_dir/server-key.pem" "$key"
    else
        # Another domain: issue its own leaf from the test CA, so that clients
        # trusting ca.pem verify it too.
        local work
        work=$(mktemp -d)
        cp "$certs_dir/ca.pem" "$certs_dir/ca-key.pem" "$work/"
        pki_write_config "$work"
        pki_leaf "$work" "$work" server ca "$domain" \
            "DNS:$domain, DNS:conference.$domain, DNS:upload.$domain" serverAuth
        cat "$work/server.pem" "$work/ca.pem" > "$crt"
        cp "$work/server-key.pem" "$key"
        rm -rf "$work"
    fi
    write_host_cert "$plain_domain"
    write_host_cert "$tls12_domain"
    write_host_cert "$noresume_domain"
    chown -R root:prosody "$dir/certs"
    chmod 750 "$dir/certs"
    chmod 640 "$crt" "$key" "$dir/certs/$plain_domain.crt" "$dir/certs/$plain_domain.key" \
        "$dir/certs/$tls12_domain.crt" "$dir/certs/$tls12_domain.key" \
        "$dir/certs/$noresume_domain.crt" "$dir/certs/$noresume_domain.key"
}

# write_host_cert HOST: certs/HOST.crt and .key, a leaf for an extra
# VirtualHost (plain.<domain>, tls12.<domain>) issued by the test CA (so
# clients trusting ca.pem verify it too). Made anew with the rest of certs/
# by every fresh `up`.
write_host_cert() {
    local vhost=$1 work
    work=$(mktemp -d)
    cp "$certs_dir/ca.pem" "$certs_dir/ca-key.pem" "$work/"
    pki_write_config "$work"
    pki_leaf "$work" "$work" server ca "$vhost" "DNS:$vhost" serverAuth
    cat "$work/server.pem" "$work/ca.pem" > "$dir/certs/$vhost.crt"
    cp "$work/server-key.pem" "$dir/certs/$vhost.key"
    rm -rf "$work"
}

# write_config: prosody.cfg.lua for this instance.
write_config() {
    local interfaces='"127.0.0.1"' modules="" module
    ! ipv6_loopback || interfaces+=', "::1"'
    for module in "${wanted_modules[@]}"; do
        if [ -f "$module_dir/mod_$module.lua" ] || [ -f "$module_dir/mod_$module/mod_$module.lua" ]; then
            modules+="    \"$module\";"$'\n'
        else
            echo "prosody.sh: note: module $module is not shipped here; left out" >&2
        fi
    done
    local crt key plain_crt plain_key tls12_crt tls12_key noresume_crt noresume_key
    crt=$(lua_string "$dir/certs/$domain.crt")
    key=$(lua_string "$dir/certs/$domain.key")
    plain_crt=$(lua_string "$dir/certs/$plain_domain.crt")
    plain_key=$(lua_string "$dir/certs/$plain_domain.key")
    tls12_crt=$(lua_string "$dir/certs/$tls12_domain.crt")
    tls12_key=$(lua_string "$dir/certs/$tls12_domain.key")
    noresume_crt=$(lua_string "$dir/certs/$noresume_domain.crt")
    noresume_key=$(lua_string "$dir/certs/$noresume_domain.key")
    cat > "$config" <<LUA
-- Written by swift-xmpp's Scripts/prosody.sh for a throwaway test server.
-- Rewritten by every fresh \`up\`: change the script, not this file.

data_path = $(lua_string "$dir/data")
gc = { mode = $(lua_string "$gc_mode") }
log = {
    { levels = { min = $(lua_string "$log_level") }, to = "file", filename = $(lua_string "$log_file") };
}

-- Loopback only; no server-to-server, no HTTP.
interfaces = { $interfaces }
c2s_ports = { $port }
c2s_direct_tls_ports = { $tls_port }
modules_disabled = { "s2s" }

c2s_require_encryption = true
authentication = "internal_hashed" -- SCRAM-SHA-1 and PLAIN
storage = "internal"

-- Tests register accounts in-band (XEP-0077); loopback is never throttled.
allow_registration = true
registration_allowlist = { "127.0.0.1", "::1" }

-- The default TLS context (the direct TLS port without SNI), the certificate
-- index (SNI on both ports, components included) and the host's own.
certificates = $(lua_string "$dir/certs")
ssl = { certificate = $crt; key = $key; }

modules_enabled = {
$modules}

VirtualHost $(lua_string "$domain")
    ssl = { certificate = $crt; key = $key; }

Component $(lua_string "conference.$domain") "muc"

-- The same accounts with passwords stored in plain text: Prosody then offers
-- SCRAM-SHA-256 besides SCRAM-SHA-1 and PLAIN.
VirtualHost $(lua_string "$plain_domain")
    authentication = "internal_plain"
    ssl = { certificate = $plain_crt; key = $plain_key; }

-- The same accounts (hashed) behind TLS 1.2 only, for SCRAM-SHA-1-PLUS:
-- Prosody 0.12 offers -PLUS (tls-unique) only on TLS 1.2. This limits the
-- STARTTLS port (mod_tls builds the context from the host's \`ssl\`, chosen
-- by the stream's 'to'). On the direct TLS port SNI picks this host's
-- certificate, but OpenSSL has settled the version (1.3) by then, so no
-- per-host protocol applies there.
VirtualHost $(lua_string "$tls12_domain")
    ssl = { certificate = $tls12_crt; key = $tls12_key; protocol = "tlsv1_2"; }

-- The same accounts (hashed) on a host that forgets a session a second after
-- its connection drops (0 would keep it for ever): XEP-0198 resumption is
-- offered, and a client that comes back later is refused with
-- <failed h='…'><item-not-found/></failed> (the "resumption refused" runs).
VirtualHost $(lua_string "$noresume_domain")
    ssl = { certificate = $noresume_crt; key = $noresume_key; }
    smacks_hibernation_time = 1
LUA
    chown root:prosody "$config"
    chmod 640 "$config"
}

# as_prosody CMD...: CMD as the prosody user with a clean environment.
as_prosody() {
    setpriv --reuid=prosody --regid=prosody --init-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/prosody LANG=C.UTF-8 "$@"
}

# stop_pid PID: SIGTERM, a bounded wait, then SIGKILL. Only ever called with
# a PID that is_ours accepted.
stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < stop_timeout * 10; i++)); do
        is_ours "$pid" || return 0
        sleep 0.1
    done
    say "pid $pid ignored SIGTERM for ${stop_timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        is_ours "$pid" || return 0
        sleep 0.1
    done
    die "pid $pid is still alive after SIGKILL"
}

cmd_up() {
    need_root up
    lock

    local pid
    if pid=$(running_pid); then
        # Already up: re-check that it still serves, on the ports asked for.
        local want_port=$port want_tls=$tls_port want_domain=$domain
        load_state
        if [ "$want_port/$want_tls/$want_domain" != "$port/$tls_port/$domain" ]; then
            die "already running (pid $pid) on ports $port/$tls_port for $domain; run 'down' first to change to $want_port/$want_tls/$want_domain"
        fi
        if ! { port_open "$port" && port_open "$tls_port"; }; then
            die "pid $pid runs but $host:$port/$tls_port do not accept connections; see $log_file"
        fi
        say "already running (pid $pid) on $host:$port (STARTTLS) and $host:$tls_port (direct TLS)"
        return 0
    fi
    rm -f "$pid_file" "$state_file"

    # Install prosody (and the rest) if missing; install-dependencies.sh keeps
    # Debian from starting a system-wide prosody meanwhile.
    if ! command -v prosody >/dev/null || ! id prosody >/dev/null 2>&1; then
        "$repo/Scripts/install-dependencies.sh"
    fi
    command -v prosody >/dev/null || die "prosody is not installed"
    command -v prosodyctl >/dev/null || die "prosodyctl is not installed"

    case $gc_mode in
        incremental | generational) ;;
        *) die "XMPP_TEST_PROSODY_GC must be incremental or generational, not '$gc_mode'" ;;
    esac
    local p
    for p in "$port" "$tls_port"; do
        [[ "$p" =~ ^[0-9]+$ ]] || die "not a port number: $p"
        if port_open "$p"; then
            die "$host:$p is already in use by another process (see: ss -ltnp 'sport = :$p'); choose other ports with XMPP_TEST_PORT / XMPP_TEST_DIRECT_TLS_PORT"
        fi
    done

    # A fresh instance: new config, certs and an empty data dir.
    mkdir -p "$dir"
    chmod 755 "$dir"
    rm -rf "$dir/data"
    install -d -o prosody -g prosody -m 750 "$dir/data"
    write_certs
    write_config
    : > "$log_file"
    chown prosody:prosody "$log_file"
    if ! { as_prosody test -r "$config" && as_prosody test -w "$dir/data"; }; then
        die "the prosody user cannot reach $dir (a parent directory is closed to it); set XMPP_TEST_PROSODY_DIR to a place it can reach"
    fi

    # Start it in the foreground of its own session, detached from ours and
    # without our lock (fd 8). setsid, setpriv and env all exec, so $! is
    # Prosody's own PID.
    setsid setpriv --reuid=prosody --regid=prosody --init-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/prosody LANG=C.UTF-8 \
        prosody -F --config "$config" </dev/null >>"$log_file" 2>&1 8>&- &
    pid=$!
    echo "$pid" > "$pid_file"

    # Wait (bounded) for both ports; give up early if it died or could not
    # bind a port (it then runs on without it).
    local i up=false
    for ((i = 0; i < start_timeout * 10; i++)); do
        if port_open "$port" && port_open "$tls_port"; then up=true; break; fi
        alive "$pid" || break
        ! grep -q 'portmanager[[:space:]]*error' "$log_file" || break
        sleep 0.1
    done
    if ! $up || ! is_ours "$pid"; then
        echo "prosody.sh: prosody did not open $host:$port and $host:$tls_port within ${start_timeout}s; last lines of $log_file:" >&2
        tail -n 20 "$log_file" >&2
        if is_ours "$pid"; then stop_pid "$pid"; fi
        rm -f "$pid_file"
        exit 1
    fi

    {
        echo "# Written by Scripts/prosody.sh up: the running instance's settings."
        echo "STATE_PORT=$(shq "$port")"
        echo "STATE_DIRECT_TLS_PORT=$(shq "$tls_port")"
        echo "STATE_DOMAIN=$(shq "$domain")"
    } > "$state_file"

    # The test accounts (prosodyctl switches to the prosody user by itself and
    # writes the account store directly, which the server reads on login).
    local account vhost
    for vhost in "$domain" "$plain_domain" "$tls12_domain" "$noresume_domain"; do
        for account in "${accounts[@]}"; do
            prosodyctl --config "$config" register "${account%%:*}" "$vhost" "${account#*:}" >/dev/null \
                || die "could not register ${account%%:*}@$vhost"
        done
    done

    for account in "${pool_accounts[@]}"; do
        prosodyctl --config "$config" register "${account%%:*}" "$domain" "${account#*:}" >/dev/null \
            || die "could not register ${account%%:*}@$domain"
    done

    local problems
    problems=$(grep -E '[[:space:]](error|warn)[[:space:]]' "$log_file" || true)
    if [ -n "$problems" ]; then
        echo "prosody.sh: warnings/errors in $log_file:" >&2
        echo "$problems" >&2
    fi
    local version
    version=$(dpkg-query -W -f='${Version}' prosody 2>/dev/null || echo unknown)
    say "Prosody $version up (pid $pid) on $host:$port (STARTTLS) and $host:$tls_port (direct TLS) for $domain, $plain_domain, $tls12_domain and $noresume_domain; ${#accounts[@]} accounts each, ${#pool_accounts[@]} pool accounts on $domain; log $log_file"
}

cmd_down() {
    need_root down
    lock
    local pid
    if pid=$(running_pid); then
        stop_pid "$pid"
        say "stopped (pid $pid)"
    else
        say "not running"
    fi
    rm -f "$pid_file"
}

cmd_status() {
    local pid
    load_state
    if pid=$(running_pid); then
        local ports="$host:$port (STARTTLS) and $host:$tls_port (direct TLS)"
        if port_open "$port" && port_open "$tls_port"; then
            say "running (pid $pid) on $ports for $domain"
        else
            say "running (pid $pid) but not accepting on $ports; see $log_file"
        fi
        return 0
    fi
    say "not running"
    return 3
}

cmd_env() {
    running_pid >/dev/null || echo "prosody.sh: note: not running ('Scripts/prosody.sh up' starts it)" >&2
    load_state
    echo "export XMPP_TEST_HOST=$(shq "$host")"
    echo "export XMPP_TEST_PORT=$(shq "$port")"
    echo "export XMPP_TEST_DIRECT_TLS_PORT=$(shq "$tls_port")"
    echo "export XMPP_TEST_DOMAIN=$(shq "$domain")"
    echo "export XMPP_TEST_CA=$(shq "$certs_dir/ca.pem")"
    echo "export XMPP_TEST_ACCOUNTS=$(shq "${accounts[*]}")"
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    -h|--help|help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
    *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
