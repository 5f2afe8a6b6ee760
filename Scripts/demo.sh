#!/usr/bin/env bash
# The demo, end to end on this machine: installs what is missing, starts a
# throwaway Prosody on loopback (Scripts/prosody.sh), builds and starts the
# echo bot as echo@xmpp.test, has alice@xmpp.test send it a message and
# prints the echo, then stops the bot (SIGTERM, it closes its stream) and the
# server. Nothing is left running, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-dependencies.sh

bot_pid=""
bot_log=$(mktemp)
cleanup() {
    local status=$?
    if [ -n "$bot_pid" ] && kill -0 "$bot_pid" 2>/dev/null; then kill "$bot_pid" 2>/dev/null || true; fi
    Scripts/prosody.sh down >/dev/null 2>&1 || true
    rm -f "$bot_log"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== building the echo bot"
touch Examples/EchoBot/Package.swift   # re-plan: see the library's current files
swift build --package-path Examples/EchoBot 2>&1 | tail -n 1

echo "== starting a local Prosody"
Scripts/prosody.sh up
eval "$(Scripts/prosody.sh env)"
export XMPP_HOST="$XMPP_TEST_HOST" XMPP_PORT="$XMPP_TEST_PORT" XMPP_CA="$XMPP_TEST_CA"
bin=$(swift build --package-path Examples/EchoBot --show-bin-path)

echo "== starting the echo bot"
XMPP_JID="echo@$XMPP_TEST_DOMAIN" XMPP_PASSWORD=echo-password "$bin/EchoBot" >"$bot_log" 2>&1 &
bot_pid=$!
for _ in $(seq 1 100); do   # up to 10 s for the bot to log in
    grep -q "online as" "$bot_log" && break
    kill -0 "$bot_pid" 2>/dev/null || { cat "$bot_log"; echo "demo: the echo bot exited" >&2; exit 1; }
    sleep 0.1
done
grep -q "online as" "$bot_log" || { cat "$bot_log"; echo "demo: the echo bot did not log in" >&2; exit 1; }
sed 's/^/[bot] /' "$bot_log"

echo "== alice sends the bot a message"
XMPP_JID="alice@$XMPP_TEST_DOMAIN" XMPP_PASSWORD=alice-password \
    "$bin/EchoDemoClient" --to "echo@$XMPP_TEST_DOMAIN" --text "Hello from alice at $(date +%H:%M:%S)"

echo "== stopping the echo bot"
kill -TERM "$bot_pid"
bot_status=0
wait "$bot_pid" || bot_status=$?
bot_pid=""
sed -n '2,$p' "$bot_log" | sed 's/^/[bot] /'
[ "$bot_status" -eq 0 ] || { echo "demo: the echo bot exited with $bot_status" >&2; exit 1; }
echo "demo: OK"
