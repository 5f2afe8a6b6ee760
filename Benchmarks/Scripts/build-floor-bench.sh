#!/usr/bin/env bash
# Builds the no-library floor of the round-trip and receive scenarios:
#   Benchmarks/floor/floor_bench.c, floor_conn.c -> Benchmarks/.build-bench/floor_bench
# Needs libgnutls28-dev and pkg-config (the library's own build needs both).
set -euo pipefail
bench=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$bench/.build-bench/floor_bench}
command -v pkg-config >/dev/null || { echo "build-floor-bench.sh: pkg-config missing: apt-get install -y pkg-config" >&2; exit 1; }
pkg-config --exists gnutls || { echo "build-floor-bench.sh: GnuTLS missing: apt-get install -y libgnutls28-dev" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046  # pkg-config's output is meant to be split
cc -O2 -Wall -Wextra -std=c11 -o "$out" -I "$bench/common" "$bench/floor/floor_bench.c" "$bench/floor/floor_conn.c" $(pkg-config --cflags --libs gnutls)
echo "$out"
