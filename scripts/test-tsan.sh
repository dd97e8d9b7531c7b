#!/usr/bin/env bash
# The Swift tests once more under ThreadSanitizer: a third build in .build-tsan. Run by .ci/run
# after the AddressSanitizer pass. Every shared piece of state is behind `Locked` (a pthread
# mutex TSan sees) or an atomic, so a report is a real race and fails the run (TSan's exit
# code 66).
set -euo pipefail
cd "$(dirname "$0")/.."
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0 exitcode=66 second_deadlock_stack=1}"
echo "== swift build (ThreadSanitizer)"
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
echo "== swift test (ThreadSanitizer)"
swift test --skip-build --sanitize=thread --scratch-path .build-tsan 2>&1 | tee .build-tsan/test.log
if grep -q "WARNING: ThreadSanitizer" .build-tsan/test.log; then
    echo "ThreadSanitizer reported races (see above)" >&2
    exit 1
fi
