#!/usr/bin/env bash
# Builds the libstrophe side of the session benchmarks:
#   Benchmarks/libstrophe/strophe_bench.c + strophe_idle.c -> Benchmarks/.build-bench/strophe_bench
# Needs libstrophe-dev and pkg-config (apt-get install -y libstrophe-dev pkg-config).
set -euo pipefail
bench=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$bench/.build-bench/strophe_bench}
command -v pkg-config >/dev/null || { echo "build-strophe-bench.sh: pkg-config missing: apt-get install -y pkg-config" >&2; exit 1; }
pkg-config --exists libstrophe || { echo "build-strophe-bench.sh: libstrophe missing: apt-get install -y libstrophe-dev" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046  # pkg-config's output is meant to be split
cc -O2 -Wall -Wextra -std=c11 -o "$out" -I "$bench/common" "$bench/libstrophe/strophe_bench.c" "$bench/libstrophe/strophe_idle.c" $(pkg-config --cflags --libs libstrophe)
echo "$out"
