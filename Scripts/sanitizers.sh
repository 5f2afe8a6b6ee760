#!/usr/bin/env bash
# Builds and runs the unit tests under ThreadSanitizer and AddressSanitizer
# (which includes LeakSanitizer on Linux), each in its own scratch path
# (.build-tsan, .build-asan) so neither invalidates the other or .build.
# Exits non-zero if a build fails, a test fails, or a sanitizer reports
# anything: a data race, a memory error or a leak.
#
#   Scripts/sanitizers.sh                # both, thread first
#   Scripts/sanitizers.sh address        # only one: thread or address
#
# IntegrationTests are skipped (XMPP_TEST_HOST is unset for the run).
# Leaks that are proven false positives outside this project are listed,
# with the reason, in Scripts/sanitizers/lsan.supp; nothing of ours is.
#
# Tests run with --no-parallel: under a sanitizer on two cores, the ~700
# tests started at once starve Swift's cooperative pool (two threads) for
# tens of seconds, and the tests that check a deadline fired on time
# (DNS timeout, TLS handshake deadline) fail on the clock, not on a bug.
# Serially the test run is no slower.
#
# How long it takes on the development machine (Debian 12, 2 cores shared
# with other jobs, load 4-7, Swift 6.3.1): from empty scratch paths 12.5 min
# (per sanitizer about 5.5 min of build and under 1 min of tests); when the
# builds are up to date, about 1.5 min in all. The test logs are kept in
# <scratch path>/sanitizer-tests.log.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers=("$@")
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(thread address)

# A hung test ends the run instead of blocking it forever.
test_timeout=${SANITIZER_TEST_TIMEOUT:-1800}
suppressions="$PWD/Scripts/sanitizers/lsan.supp"

failed=()
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
        thread) scratch=.build-tsan ;;
        address) scratch=.build-asan ;;
        *) echo "unknown sanitizer '$sanitizer' (thread or address)" >&2; exit 2 ;;
    esac
    log="$scratch/sanitizer-tests.log"
    started=$SECONDS

    echo "== $sanitizer: build ($scratch)"
    if ! swift build --build-tests --scratch-path "$scratch" --sanitize="$sanitizer"; then
        failed+=("$sanitizer: build")
        continue
    fi

    echo "== $sanitizer: tests (log: $log)"
    status=0
    env -u XMPP_TEST_HOST \
        TSAN_OPTIONS="halt_on_error=0 ${TSAN_OPTIONS:-}" \
        ASAN_OPTIONS="detect_leaks=1 ${ASAN_OPTIONS:-}" \
        LSAN_OPTIONS="suppressions=$suppressions print_suppressions=0 ${LSAN_OPTIONS:-}" \
        timeout --kill-after=30 "$test_timeout" \
        swift test --skip-build --scratch-path "$scratch" --sanitize="$sanitizer" --no-parallel \
        >"$log" 2>&1 || status=$?

    # The exit status already fails on a report (TSan exits 66, LSan 23 at
    # exit), but a report from a helper process or after the summary
    # would not show there: search the log too.
    reports=$(grep -cE "WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$log" || true)
    grep -E "Test run with [0-9]+ tests|Executed [0-9]+ tests" "$log" | tail -n 2 || true
    echo "   $((SECONDS - started)) s, exit status $status, $reports sanitizer report(s)"
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "   the tests did not finish within $test_timeout s; the last ones started:" >&2
        grep -E "^◇ Test .* started" "$log" | tail -n 5 >&2 || true
    fi
    if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then
        grep -E "^✘|WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer|^SUMMARY:" "$log" | head -n 40 >&2 || true
        failed+=("$sanitizer: tests (see $log)")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "No sanitizer reports; all tests passed under: ${sanitizers[*]}."
