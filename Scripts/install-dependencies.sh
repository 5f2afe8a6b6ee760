#!/usr/bin/env bash
# Installs the Debian packages swift-xmpp needs to build and test, if any is
# missing. Safe to run again. Needs root (or sudo) only when installing.
set -euo pipefail

packages=(libexpat1-dev libgnutls28-dev pkg-config)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
