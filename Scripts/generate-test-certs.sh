#!/usr/bin/env bash
# Makes the throwaway test PKI that swift-xmpp's TLS tests and the local
# Prosody (Scripts/prosody.sh) use: a test CA, a second untrusted CA, and
# leaf certificates for the good and the bad cases. ECDSA P-256, PEM.
#
#   Scripts/generate-test-certs.sh [--force] [OUT_DIR]
#
# OUT_DIR defaults to <repo>/.test-env/certs (git-ignored). Idempotent: when
# OUT_DIR/.complete exists and the CA and the server certificate are both
# valid for more than a day, nothing is done, except that leaves added to
# this script since the set was made are issued by the existing CA and added
# (the files already there are left alone, so tests reading them meanwhile
# are not disturbed); --force makes everything anew.
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
# Identity cases (security.md section 6, group D):
#   not-yet-valid     xmpp.test, validity starting after server.pem expires
#   cn-only           CN xmpp.test and no subjectAltName at all
#   san-other-cn-ours SAN other.test, CN xmpp.test
#   non-ca-signer     an "intermediate" with CA:FALSE (keyCertSign all the same)
#   signed-by-non-ca  xmpp.test signed by non-ca-signer; the file is the chain
#   constrained-ca    intermediate CA:TRUE, name constraint excluding xmpp.test
#   name-excluded     xmpp.test signed by constrained-ca; the file is the chain
#   name-permitted    allowed.test signed by constrained-ca; the file is the chain
#   localhost         localhost and IP 127.0.0.1 (an endpoint host, no domain)
#   idn               xn--bcher-kva.test (the A-label of buecher with u-umlaut)
#   idn-u-label       SAN with the U-label itself, raw UTF-8 (raw DER), CN the A-label
#   nul-san           SAN "xmpp.test<NUL>.evil" (raw DER), CN xmpp.test
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
# Made after the rest, by make_group; a group is made (or remade) whole, so a
# chain never mixes an old intermediate with a new leaf.
groups=(not-yet-valid cn-only san-other-cn-ours non-ca constrained localhost idn idn-u-label nul-san)
group_members() {
    case $1 in
        non-ca) echo non-ca-signer signed-by-non-ca ;;
        constrained) echo constrained-ca name-excluded name-permitted ;;
        *) echo "$1" ;;
    esac
}

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

# group_present GROUP: whether every file of GROUP is in OUT_DIR.
group_present() {
    local name
    for name in $(group_members "$1"); do
        [ -s "$out/$name.pem" ] && [ -s "$out/$name-key.pem" ] || return 1
    done
}

if ! $force && up_to_date; then
    todo=()
    for group in "${groups[@]}"; do group_present "$group" || todo+=("$group"); done
    if [ ${#todo[@]} -eq 0 ]; then
        echo "test certificates: up to date in $out (CA valid until $(openssl x509 -enddate -noout -in "$out/ca.pem" | cut -d= -f2); --force to remake)"
        exit 0
    fi
    mode=add
else
    todo=("${groups[@]}")
    mode=full
fi

# Build in a scratch directory beside OUT_DIR, then move the files in, and
# mark the set complete last: a reader never sees a half-made set. Adding
# keeps .complete: the files already published stay valid, and each new one
# appears by an atomic rename.
[ "$mode" = add ] || rm -f "$out/.complete"
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
new="$work/out"
mkdir -p "$new"
pki_write_config "$work"

# leaf_with NAME SIGNER CN START END EXTENSIONS: like pki_leaf, for the
# certificates pki_extensions cannot describe (no SAN, raw DER, a CA:FALSE
# signer, name constraints): EXTENSIONS are the openssl config lines, as is.
leaf_with() {
    local name=$1 signer=$2 cn=$3 start=$4 end=$5 extensions=$6
    local section="ext_${name//[^A-Za-z0-9]/_}"
    printf '\n[ %s ]\n%s\n' "$section" "$extensions" >> "$work/openssl.cnf"
    pki_key "$new/$name-key.pem"
    openssl req -new -config "$work/openssl.cnf" -key "$new/$name-key.pem" \
        -subj "/CN=$cn" -out "$work/$name.csr" 2>/dev/null
    pki_sign "$work" "$work/$name.csr" "$new/$name.pem" "$section" "$start" "$end" \
        -cert "$new/$signer.pem" -keyfile "$new/$signer-key.pem"
}

# chain NAME ISSUER: NAME.pem becomes the chain a server presents, the leaf
# then ISSUER (whom the client does not know; only ca.pem is trusted).
chain() {
    cat "$new/$1.pem" "$new/$2.pem" > "$work/$1.chain"
    mv "$work/$1.chain" "$new/$1.pem"
}

leaf_extensions="basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid"
# Issuers are valid a little longer on both sides than their leaves, so a
# chain fails for the reason its test names only.
issuer_start=$(pki_date '-2 hours')
issuer_end=$(pki_date '+1000 days')

# make_group GROUP: issues GROUP's certificates into $new.
make_group() {
    case $1 in
        not-yet-valid)
            # Starts after server.pem expires: the set is remade (server.pem
            # checked above) before this one could ever become valid.
            pki_leaf "$work" "$new" not-yet-valid ca xmpp.test "DNS:xmpp.test" serverAuth \
                "$(pki_date '+1000 days')" "$(pki_date '+1100 days')" ;;
        cn-only)
            leaf_with cn-only ca xmpp.test "$(pki_date '-1 hour')" "$(pki_date '+730 days')" "$leaf_extensions" ;;
        san-other-cn-ours)
            leaf_with san-other-cn-ours ca xmpp.test "$(pki_date '-1 hour')" "$(pki_date '+730 days')" \
                "$leaf_extensions
subjectAltName = DNS:other.test" ;;
        non-ca)
            # Everything a CA has but basicConstraints CA:TRUE (RFC 5280
            # 4.2.1.9), the CVE-2014-0092/0363 class.
            leaf_with non-ca-signer ca "swift-xmpp Not A CA" "$issuer_start" "$issuer_end" \
                "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid"
            leaf_with signed-by-non-ca non-ca-signer xmpp.test "$(pki_date '-1 hour')" "$(pki_date '+730 days')" \
                "$leaf_extensions
subjectAltName = DNS:xmpp.test"
            chain signed-by-non-ca non-ca-signer ;;
        constrained)
            leaf_with constrained-ca ca "swift-xmpp Constrained CA" "$issuer_start" "$issuer_end" \
                "basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, excluded;DNS:xmpp.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid"
            leaf_with name-excluded constrained-ca xmpp.test "$(pki_date '-1 hour')" "$(pki_date '+730 days')" \
                "$leaf_extensions
subjectAltName = DNS:xmpp.test"
            leaf_with name-permitted constrained-ca allowed.test "$(pki_date '-1 hour')" "$(pki_date '+730 days')" \
                "$leaf_extensions
subjectAltName = DNS:allowed.test"
            chain name-excluded constrained-ca
            chain name-permitted constrained-ca ;;
        localhost)
            pki_leaf "$work" "$new" localhost ca localhost "DNS:localhost, IP:127.0.0.1" serverAuth ;;
        idn)
            pki_leaf "$work" "$new" idn ca xn--bcher-kva.test "DNS:xn--bcher-kva.test" serverAuth ;;
        idn-u-label)
            # SEQUENCE { [2] "b" C3 BC "cher.test" }: UTF-8 where RFC 5280
            # allows only the A-label (IA5String); openssl's DNS: refuses it.
            leaf_with idn-u-label ca xn--bcher-kva.test "$(pki_date '-1 hour')" "$(pki_date '+730 days')" \
                "$leaf_extensions
subjectAltName = DER:300e820c62c3bc636865722e74657374" ;;
        nul-san)
            # SEQUENCE { [2] IA5String "xmpp.test" 00 ".evil" } (RFC 5280
            # GeneralName dNSName): no openssl syntax writes a NUL, DER: does.
            leaf_with nul-san ca xmpp.test "$(pki_date '-1 hour')" "$(pki_date '+730 days')" \
                "$leaf_extensions
subjectAltName = DER:3011820f786d70702e74657374002e6576696c" ;;
    esac
}

if [ "$mode" = add ]; then
    # The existing CA signs the new leaves; it is not published again.
    cp "$out/ca.pem" "$out/ca-key.pem" "$new/"
    echo "test certificates: adding ${todo[*]} to $out"
else
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
fi
for group in "${todo[@]}"; do make_group "$group"; done

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
if [ "$mode" = full ]; then
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
fi

# check_reason WHAT WHY ARGS...: openssl verify ARGS fails, for WHY (an
# openssl message), so the fixture tests what its name says.
check_reason() {
    local what=$1 why=$2 output; shift 2
    # Captured first: under pipefail, openssl's failure would fail a pipe.
    output=$("${v[@]}" "$@" 2>&1) || true
    grep -q "$why" <<<"$output" ||
        { echo "generate-test-certs: self-check failed: $what should fail with '$why'" >&2; echo "$output" >&2; exit 1; }
}
for group in "${todo[@]}"; do
    case $group in
        not-yet-valid)
            check_reason not-yet-valid 'certificate is not yet valid' "$new/not-yet-valid.pem" ;;
        cn-only)
            # openssl still falls back to the CN (GnuTLS too): the policy
            # against it is the library's, tested in Swift.
            check pass "cn-only (CN fallback)" "${v[@]}" -verify_hostname xmpp.test "$new/cn-only.pem"
            text=$(openssl x509 -noout -text -in "$new/cn-only.pem")
            ! grep -q 'Subject Alternative Name' <<<"$text" ||
                { echo "generate-test-certs: cn-only.pem has a subjectAltName" >&2; exit 1; } ;;
        san-other-cn-ours)
            check pass "san-other-cn-ours (other.test)" "${v[@]}" -verify_hostname other.test "$new/san-other-cn-ours.pem"
            check fail "san-other-cn-ours (xmpp.test)"  "${v[@]}" -verify_hostname xmpp.test "$new/san-other-cn-ours.pem" ;;
        non-ca)
            check_reason signed-by-non-ca 'invalid CA certificate' \
                -untrusted "$new/signed-by-non-ca.pem" "$new/signed-by-non-ca.pem" ;;
        constrained)
            check_reason name-excluded 'excluded subtree violation' \
                -untrusted "$new/name-excluded.pem" "$new/name-excluded.pem"
            check pass "name-permitted" "${v[@]}" -verify_hostname allowed.test \
                -untrusted "$new/name-permitted.pem" "$new/name-permitted.pem" ;;
        localhost)
            check pass "localhost"             "${v[@]}" -verify_hostname localhost "$new/localhost.pem"
            check fail "localhost (xmpp.test)" "${v[@]}" -verify_hostname xmpp.test "$new/localhost.pem" ;;
        idn)
            check pass "idn" "${v[@]}" -verify_hostname xn--bcher-kva.test "$new/idn.pem" ;;
        idn-u-label)
            check fail "idn-u-label" "${v[@]}" -verify_hostname xn--bcher-kva.test "$new/idn-u-label.pem" ;;
        nul-san)
            check fail "nul-san" "${v[@]}" -verify_hostname xmpp.test "$new/nul-san.pem"
            text=$(openssl x509 -outform der -in "$new/nul-san.pem" | od -An -v -tx1 | tr -d ' \n')
            grep -q '820f786d70702e74657374002e6576696c' <<<"$text" ||
                { echo "generate-test-certs: nul-san.pem lacks the NUL in its SAN" >&2; exit 1; } ;;
    esac
done

[ "$mode" = full ] || rm -f "$new/ca.pem" "$new/ca-key.pem"
chmod 644 "$new"/*.pem
chmod 600 "$new"/*-key.pem
# Keys first: a reader that finds a certificate also finds its key.
mv -f "$new"/*-key.pem "$out/"
mv -f "$new"/*.pem "$out/"
touch "$out/.complete"

if [ "$mode" = full ]; then
    echo "test certificates: ${#names[@]} key pairs, ${#groups[@]} identity cases + server-chain.pem in $out (server verifies against ca.pem, expired is refused: $expired_reason)"
else
    echo "test certificates: added ${todo[*]} to $out"
fi
