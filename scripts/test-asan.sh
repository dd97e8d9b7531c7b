#!/usr/bin/env bash
# The Swift tests and the integration tests once more under AddressSanitizer (with
# LeakSanitizer): a second build in .build-asan. Run by .ci/run after scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp"
echo "== swift build (AddressSanitizer)"
swift build --build-tests --sanitize=address --scratch-path .build-asan
echo "== swift test (AddressSanitizer)"
swift test --skip-build --sanitize=address --scratch-path .build-asan
echo "== integration tests (AddressSanitizer)"
MODELWATCH_BIN="$(swift build --sanitize=address --scratch-path .build-asan --show-bin-path)/modelwatch" \
    python3 -m pytest -q Tests/integration
