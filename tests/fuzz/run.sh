#!/usr/bin/env bash
# Run the capture-file fuzzer for a bounded time (FUZZ_SECONDS, default 60)
# from a seed corpus of real capture files made by the example.
set -euo pipefail
fuzzer=$1
example=$2
seconds=${FUZZ_SECONDS:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
export ASAN_OPTIONS=detect_leaks=1
"$example" -e synthetic --synth-events 20 -d 0 -q -w "$work/corpus/plain.cap" >/dev/null
"$example" -e synthetic --synth-events 20 -E -d 0 -q --compress -w "$work/corpus/zlib.cap" >/dev/null
"$example" --force-drops --synth-events 200 -q -w "$work/corpus/drops.cap" >/dev/null
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 "$work/corpus" 2>&1 | tail -n 12
