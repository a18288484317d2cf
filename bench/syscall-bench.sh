#!/usr/bin/env bash
# Traced versus untraced, side by side in one run: for each workload, the
# load generator runs alone, then while bench_consumer captures with a live
# engine, repeated REPEATS times with the two interleaved. The load is pinned
# to CPU 0 and the consumer to CPU 1. Prints a table and writes raw JSON
# lines to bench/results/.
#
#   bench/syscall-bench.sh [-r REPEATS] [-d SECONDS] [-b BUFFER_BYTES] [-e ENGINE] [WORKLOAD...]
set -euo pipefail
cd "$(dirname "$0")/.."

repeats=3 seconds=3 buffer=$((8 << 20)) engine=modern_bpf
while getopts "r:d:b:e:h" opt; do
	case $opt in
	r) repeats=$OPTARG ;;
	d) seconds=$OPTARG ;;
	b) buffer=$OPTARG ;;
	e) engine=$OPTARG ;;
	*) sed -n '2,9p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(getppid close openclose)

[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
loadgen=build/bench/loadgen
consumer=build/bench/bench_consumer
mkdir -p bench/results
out=bench/results/syscall-bench-$(date +%Y%m%d-%H%M%S).jsonl
ready=$(mktemp -u)

for ((r = 1; r <= repeats; r++)); do
	for w in "${workloads[@]}"; do
		u=$(taskset -c 0 "$loadgen" -w "$w" -t 1 -d "$seconds" -c 0 -j)
		echo "{\"repeat\":$r,\"workload\":\"$w\",\"mode\":\"untraced\",\"load\":$u}" >>"$out"

		rm -f "$ready"
		taskset -c 1 "$consumer" -e "$engine" -b "$buffer" -r "$ready" >"$ready.out" &
		cpid=$!
		for _ in $(seq 1 200); do [ -e "$ready" ] && break; sleep 0.05; done
		if [ ! -e "$ready" ]; then
			wait $cpid || true
			echo "syscall-bench: the consumer did not start (engine $engine)" >&2
			exit 1
		fi
		t=$(taskset -c 0 "$loadgen" -w "$w" -t 1 -d "$seconds" -c 0 -j)
		kill -INT $cpid
		wait $cpid
		c=$(cat "$ready.out")
		echo "{\"repeat\":$r,\"workload\":\"$w\",\"mode\":\"traced\",\"load\":$t,\"consumer\":$c}" >>"$out"
		rm -f "$ready" "$ready.out"
	done
done
python3 bench/summarize.py "$out"
echo "raw results: $out"
