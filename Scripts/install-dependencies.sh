#!/usr/bin/env bash
# Installs the Debian packages swift-xmpp needs to build and test, if any is
# missing. Safe to run again. Needs root (or sudo) only when installing.
set -euo pipefail

# Build: Expat, GnuTLS, pkg-config. Integration tests: a local Prosody (run by
# Scripts/prosody.sh) with a throwaway PKI made by openssl
# (Scripts/generate-test-certs.sh).
packages=(libexpat1-dev libgnutls28-dev pkg-config prosody openssl ca-certificates)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

# Debian starts a packaged daemon as soon as it is installed: prosody would
# then listen system-wide on 5222/5269. A policy-rc.d that exits 101 forbids
# that for the length of the install (invoke-rc.d and deb-systemd-invoke both
# obey it). We remove it afterwards, but only if we created it: an existing
# one (Docker images ship one) is left as it is.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Temporary: swift-xmpp Scripts/install-dependencies.sh (no daemon starts).\nexit 101\n' \
        | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
    trap 'exit 130' INT   # so that an interrupted install removes it too
    trap 'exit 143' TERM
fi

"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
