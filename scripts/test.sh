#!/usr/bin/env bash
# The test command of the README: installs what the tests need, builds, runs every test.
#   Swift unit and loopback tests (swift test), then the integration tests (pytest) that drive
#   the real binary with curl, Python's http.client and gzip, promtool and the HTTP corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# the scale-out test runs deploy/nginx's example in front of two daemons
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v prlimit >/dev/null 2>&1 || missing+=(util-linux)
command -v gzip >/dev/null 2>&1 || missing+=(gzip)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
python3 -c "import pytest" 2>/dev/null || python3 -m pip install -q pytest
# The drift tests compare the daemon's metrics with numpy/scipy on the same raw values; the
# monitoring tests parse both expositions with prometheus_client and read the rule files with PyYAML
# (also what the mixin generator needs).
python3 -c "import numpy, scipy" 2>/dev/null || python3 -m pip install -q numpy scipy
python3 -c "import prometheus_client, yaml" 2>/dev/null || python3 -m pip install -q prometheus_client pyyaml
# The monitoring assets (mixin --check, promtool check/test rules, amtool) are checked by
# Tests/integration/test_monitoring_assets.py.

echo "== swift build"
swift build --build-tests
echo "== swift test"
swift test --skip-build
echo "== fuzz corpus replay (the committed inputs through each libFuzzer target, built without libFuzzer)"
bin="$(swift build --show-bin-path)"
for t in http-parser event-decoder persistence; do "$bin/fuzz-$t" "Fuzz/Corpus/$t"; done
echo "== integration tests"
MODELWATCH_BIN="$(swift build --show-bin-path)/modelwatch" python3 -m pytest -q Tests/integration
