#!/usr/bin/env bash
# The tests once more under a sanitizer, in a build of their own (.build-asan, .build-tsan).
# Run by .ci/run after scripts/test.sh:
#   scripts/test-sanitized.sh address   the Swift and the integration tests under AddressSanitizer
#                                       (with LeakSanitizer; .ci/lsan.supp names XCTest's and
#                                       Foundation Process's own leaks)
#   scripts/test-sanitized.sh thread    the Swift tests under ThreadSanitizer, failing on any
#                                       report: shared state is behind `Locked` (a pthread mutex
#                                       TSan sees) or an atomic, so a report is a real race
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: scripts/test-sanitized.sh address|thread}"
case "$kind" in
    address) name=AddressSanitizer; scratch=.build-asan
             export LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp" ;;
    thread)  name=ThreadSanitizer; scratch=.build-tsan
             export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0 exitcode=66 second_deadlock_stack=1}" ;;
    *) echo "unknown sanitizer $kind (address or thread)" >&2; exit 2 ;;
esac
echo "== swift build ($name)"
swift build --build-tests --sanitize="$kind" --scratch-path "$scratch"
echo "== swift test ($name)"
swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" 2>&1 | tee "$scratch/test.log"
# ASan stops the run at its first report; TSan reports and carries on, so look for its reports.
if [ "$kind" = thread ] && grep -q "WARNING: ThreadSanitizer" "$scratch/test.log"; then
    echo "ThreadSanitizer reported races (see above)" >&2
    exit 1
fi
if [ "$kind" = address ]; then
    echo "== integration tests ($name)"
    MODELWATCH_BIN="$(swift build --sanitize="$kind" --scratch-path "$scratch" --show-bin-path)/modelwatch" \
        python3 -m pytest -q Tests/integration
fi
