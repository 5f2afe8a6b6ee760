# shellcheck shell=bash
# Helpers for a throwaway test PKI made with openssl (3.0 on Debian 12).
# Sourced by Scripts/generate-test-certs.sh and Scripts/prosody.sh; not run on
# its own. Every key is ECDSA P-256 (fast to make); every file is PEM.
#
# The leaves are issued with `openssl ca`, not `openssl x509 -req`: only `ca`
# takes explicit -startdate/-enddate in openssl 3.0, which the expired
# certificate needs, and one code path for every leaf keeps them alike.

# pki_date OFFSET: a UTC time for openssl ca (YYYYMMDDHHMMSSZ), e.g. "-1 hour".
pki_date() {
    date -u -d "$1" +%Y%m%d%H%M%SZ
}

# pki_key FILE: a new ECDSA P-256 private key (PKCS#8), readable by its owner only.
pki_key() {
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
}

# pki_write_config WORK: the openssl config used by every command below. Its
# [req] part lets `openssl req` run without the system config; its [ca] part
# is the minimal CA database `openssl ca` insists on (kept in WORK, thrown
# away with it); the extension sections are filled in by pki_extensions.
pki_write_config() {
    local work=$1
    mkdir -p "$work/newcerts"
    : > "$work/index.txt"
    # openssl 3.0's `ca` looks the serial file up even with -rand_serial.
    echo 01 > "$work/serial"
    cat > "$work/openssl.cnf" <<CNF
[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
CN = unused

[ ca ]
default_ca = test_ca
[ test_ca ]
database        = $work/index.txt
new_certs_dir   = $work/newcerts
serial          = $work/serial
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no
[ policy_any ]
commonName = supplied

[ ca_ext ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
CNF
}

# pki_extensions WORK SECTION SAN EKU: appends an extension section for a
# leaf (CA:FALSE, digitalSignature, the given EKU and subjectAltName).
pki_extensions() {
    local work=$1 section=$2 san=$3 eku=$4
    cat >> "$work/openssl.cnf" <<CNF

[ $section ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = $eku
subjectAltName         = $san
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
CNF
}

# pki_ca WORK DIR NAME CN: a self-signed CA, DIR/NAME.pem + DIR/NAME-key.pem,
# valid for ~10 years from 500 days ago: `openssl ca -selfsign` (unlike
# `req -x509` in 3.0) takes a start date, and a CA that predates them keeps
# every leaf, the expired one included, inside its validity, so that a leaf
# fails verification for its own reason only.
pki_ca() {
    local work=$1 dir=$2 name=$3 cn=$4
    pki_key "$dir/$name-key.pem"
    openssl req -new -config "$work/openssl.cnf" -key "$dir/$name-key.pem" \
        -subj "/CN=$cn" -out "$work/$name.csr" 2>/dev/null
    pki_sign "$work" "$work/$name.csr" "$dir/$name.pem" ca_ext \
        "$(pki_date '-500 days')" "$(pki_date '+3650 days')" -selfsign -keyfile "$dir/$name-key.pem"
}

# pki_sign WORK CSR OUT SECTION START END ARGS...: runs `openssl ca` on CSR with
# the extension SECTION; ARGS name the signer (-cert/-keyfile, or -selfsign).
pki_sign() {
    local work=$1 csr=$2 out=$3 section=$4 start=$5 end=$6
    shift 6
    # -notext: plain PEM; -rand_serial: random serials, as browsers expect.
    if ! openssl ca -batch -notext -rand_serial -config "$work/openssl.cnf" "$@" \
        -extfile "$work/openssl.cnf" -extensions "$section" \
        -startdate "$start" -enddate "$end" \
        -in "$csr" -out "$out" >"$csr.log" 2>&1; then
        cat "$csr.log" >&2
        return 1
    fi
}

# pki_leaf WORK DIR NAME SIGNER CN SAN EKU [START END]: DIR/NAME.pem and
# DIR/NAME-key.pem, signed by DIR/SIGNER.pem (or self-signed when SIGNER is
# "self"), valid from START to END (openssl ca times, see pki_date); by
# default from an hour ago (no trouble with a clock a little behind) for ~2
# years.
pki_leaf() {
    local work=$1 dir=$2 name=$3 signer=$4 cn=$5 san=$6 eku=$7
    local start=${8:-$(pki_date '-1 hour')} end=${9:-$(pki_date '+730 days')}
    local section="ext_${name//[^A-Za-z0-9]/_}"
    pki_extensions "$work" "$section" "$san" "$eku"
    pki_key "$dir/$name-key.pem"
    local issuer=(-cert "$dir/$signer.pem" -keyfile "$dir/$signer-key.pem")
    [ "$signer" != self ] || issuer=(-selfsign -keyfile "$dir/$name-key.pem")
    openssl req -new -config "$work/openssl.cnf" -key "$dir/$name-key.pem" \
        -subj "/CN=$cn" -out "$work/$name.csr" 2>/dev/null
    pki_sign "$work" "$work/$name.csr" "$dir/$name.pem" "$section" "$start" "$end" "${issuer[@]}"
}
