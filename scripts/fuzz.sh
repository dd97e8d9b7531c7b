#!/usr/bin/env bash
# Runs the libFuzzer targets of Fuzz/ (HTTP parser; event decoder, compact against general path;
# log and snapshot readers) for SECONDS each, with AddressSanitizer, starting from the committed
# corpus (and, for the parser, the requests of ../shared/http-conformance). Any crash or failed
# check stops the run with the input that caused it (crash-* in the working directory).
#   scripts/fuzz.sh [SECONDS=60] [--update-corpus]   # --update-corpus: keep new inputs, minimised
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
update="${2:-}"
flags=(--scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)
targets=(http-parser event-decoder persistence)
for t in "${targets[@]}"; do swift build "${flags[@]}" --product "fuzz-$t" >/dev/null; done
bin="$(swift build "${flags[@]}" --show-bin-path)"
export SWIFT_BACKTRACE=enable=no  # the sanitizer reports; the Swift backtracer would only add noise
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -f ../shared/http-conformance/cases.json ]; then
    mkdir -p "$work/seed-http-parser"
    python3 - "$work/seed-http-parser" <<'PY'
import base64, json, os, sys
for case in json.load(open("../shared/http-conformance/cases.json")):
    raw = case.get("raw_base64")
    if raw:
        open(os.path.join(sys.argv[1], case["id"].replace("/", "_")), "wb").write(base64.b64decode(raw))
PY
fi
for t in "${targets[@]}"; do
    echo "== fuzz-$t for ${seconds}s"
    mkdir -p "$work/new-$t" "$work/seed-$t"
    "$bin/fuzz-$t" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "$work/new-$t" "Fuzz/Corpus/$t" "$work/seed-$t" 2>&1 | grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|cov:|ERROR|SUMMARY|Test unit written" | tail -4
    if [ "$update" = "--update-corpus" ]; then
        mkdir -p "$work/merged-$t"
        "$bin/fuzz-$t" -merge=1 "$work/merged-$t" "Fuzz/Corpus/$t" "$work/new-$t" >/dev/null 2>&1
        rm -f "Fuzz/Corpus/$t"/*
        cp "$work/merged-$t"/* "Fuzz/Corpus/$t"/ 2>/dev/null || true
        echo "   corpus: $(ls "Fuzz/Corpus/$t" | wc -l) inputs"
    fi
done
