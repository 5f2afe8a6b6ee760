#!/usr/bin/env bash
# Makes the throwaway test PKI that swift-xmpp's TLS tests and the local
# Prosody (Scripts/prosody.sh) use: a test CA, a second untrusted CA, and
# leaf certificates for the good and the bad cases. ECDSA P-256, PEM.
#
#   Scripts/generate-test-certs.sh [--force] [OUT_DIR]
#
# OUT_DIR defaults to <repo>/.test-env/certs (git-ignored). Idempotent: when
# OUT_DIR/.complete exists and the CA and the server certificate are both
# valid for more than a day, nothing is done; --force makes everything anew.
# Files (NAME.pem + NAME-key.pem; the tests load them by these names):
#   ca                test CA (CA:TRUE, keyCertSign+cRLSign), ~10 years
#   other-ca          a second CA that no test trusts
#   server            xmpp.test, conference.xmpp.test, upload.xmpp.test
#   wrong-name        other.test
#   expired           xmpp.test, validity wholly in the past
#   self-signed       xmpp.test, self-signed (CA:FALSE)
#   client-auth-only  xmpp.test, EKU clientAuth only
#   wildcard          *.example.com
#   untrusted         xmpp.test, signed by other-ca
#   client            xmppAddr alice@xmpp.test (for SASL EXTERNAL), EKU clientAuth
#   server-chain.pem  server.pem then ca.pem
# Leaves: CA:FALSE, keyUsage digitalSignature, EKU serverAuth unless said
# otherwise, CN = first SAN, ~2 years, signed by ca unless said otherwise.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/test-pki.sh
. "$repo/Scripts/lib/test-pki.sh"

force=false
out=""
for arg in "$@"; do
    case "$arg" in
        --force) force=true ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "generate-test-certs: unknown option $arg" >&2; exit 2 ;;
        *) [ -z "$out" ] || { echo "generate-test-certs: one OUT_DIR only" >&2; exit 2; }; out=$arg ;;
    esac
done
out=${out:-$repo/.test-env/certs}
mkdir -p "$out"
out=$(cd "$out" && pwd)

names=(ca other-ca server wrong-name expired self-signed client-auth-only wildcard untrusted client)

# One generator at a time per OUT_DIR (tests running in parallel may call us).
exec 9>"$out/.lock"
flock 9

up_to_date() {
    [ -f "$out/.complete" ] || return 1
    local name
    for name in "${names[@]}"; do
        [ -s "$out/$name.pem" ] && [ -s "$out/$name-key.pem" ] || return 1
    done
    [ -s "$out/server-chain.pem" ] || return 1
    # "Valid for more than a day" for the CA and for server, the leaf every
    # happy-path test needs (it expires years before the CA).
    openssl x509 -checkend 86400 -noout -in "$out/ca.pem" >/dev/null &&
        openssl x509 -checkend 86400 -noout -in "$out/server.pem" >/dev/null
}

if ! $force && up_to_date; then
    echo "test certificates: up to date in $out (CA valid until $(openssl x509 -enddate -noout -in "$out/ca.pem" | cut -d= -f2); --force to remake)"
    exit 0
fi

# Build everything in a scratch directory beside OUT_DIR, then move the files
# in, and mark the set complete last: a reader never sees a half-made set.
rm -f "$out/.complete"
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
new="$work/out"
mkdir -p "$new"
pki_write_config "$work"

pki_ca "$work" "$new" ca "swift-xmpp Test CA"
pki_ca "$work" "$new" other-ca "swift-xmpp Untrusted Test CA"

pki_leaf "$work" "$new" server ca xmpp.test \
    "DNS:xmpp.test, DNS:conference.xmpp.test, DNS:upload.xmpp.test" serverAuth
pki_leaf "$work" "$new" wrong-name ca other.test "DNS:other.test" serverAuth
pki_leaf "$work" "$new" expired ca xmpp.test "DNS:xmpp.test" serverAuth \
    "$(pki_date '-400 days')" "$(pki_date '-30 days')"
pki_leaf "$work" "$new" self-signed self xmpp.test "DNS:xmpp.test" serverAuth
pki_leaf "$work" "$new" client-auth-only ca xmpp.test "DNS:xmpp.test" clientAuth
pki_leaf "$work" "$new" wildcard ca '*.example.com' "DNS:*.example.com" serverAuth
pki_leaf "$work" "$new" untrusted other-ca xmpp.test "DNS:xmpp.test" serverAuth
# id-on-xmppAddr (RFC 6120 section 13.7.1.4): otherName 1.3.6.1.5.5.7.8.5, UTF8String.
pki_leaf "$work" "$new" client ca alice@xmpp.test \
    "otherName:1.3.6.1.5.5.7.8.5;UTF8:alice@xmpp.test" clientAuth
cat "$new/server.pem" "$new/ca.pem" > "$new/server-chain.pem"

# Prove the output before publishing it: the server chain verifies against
# the CA (with its name), and the expired certificate does not.
check() {
    local expect=$1 what=$2; shift 2
    local output status=0
    output=$("$@" 2>&1) || status=$?
    if { [ "$expect" = pass ] && [ $status -ne 0 ]; } || { [ "$expect" = fail ] && [ $status -eq 0 ]; }; then
        echo "generate-test-certs: self-check failed: $what should $expect" >&2
        echo "$output" >&2
        exit 1
    fi
}
v=(openssl verify -CAfile "$new/ca.pem")
check pass "server"           "${v[@]}" -verify_hostname xmpp.test -purpose sslserver "$new/server.pem"
check pass "server (chain)"   "${v[@]}" -verify_hostname conference.xmpp.test "$new/server-chain.pem"
check fail "expired"          "${v[@]}" "$new/expired.pem"
check fail "wrong-name"       "${v[@]}" -verify_hostname xmpp.test "$new/wrong-name.pem"
check fail "self-signed"      "${v[@]}" "$new/self-signed.pem"
check fail "untrusted"        "${v[@]}" "$new/untrusted.pem"
check fail "client-auth-only" "${v[@]}" -purpose sslserver "$new/client-auth-only.pem"
check pass "wildcard"         "${v[@]}" -verify_hostname a.example.com "$new/wildcard.pem"
check fail "wildcard (apex)"  "${v[@]}" -verify_hostname example.com "$new/wildcard.pem"
check fail "wildcard (deep)"  "${v[@]}" -verify_hostname a.b.example.com "$new/wildcard.pem"
check pass "client"           "${v[@]}" -purpose sslclient "$new/client.pem"
expired_reason=$("${v[@]}" "$new/expired.pem" 2>&1 | grep -o 'certificate has expired' | head -n1 || true)
[ -n "$expired_reason" ] || { echo "generate-test-certs: expired.pem fails for another reason" >&2; "${v[@]}" "$new/expired.pem" >&2 || true; exit 1; }

chmod 644 "$new"/*.pem
chmod 600 "$new"/*-key.pem
mv -f "$new"/*.pem "$out/"
touch "$out/.complete"

echo "test certificates: ${#names[@]} key pairs + server-chain.pem in $out (server verifies against ca.pem, expired is refused: $expired_reason)"
