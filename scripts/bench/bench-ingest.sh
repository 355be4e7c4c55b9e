#!/usr/bin/env bash
# Benchmark: synthetic generation + SQLite insert of 10 symbols × 1 year of 5m bars (1,054,080 bars),
# pinned to one core, release build. Prints the median of RUNS runs and the ratio to the target
# (500k bars/s). Also times the idempotent re-run (every bar already stored, nothing written).
#   scripts/bench/bench-ingest.sh            # 5 runs
#   RUNS=9 scripts/bench/bench-ingest.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh
source scripts/lib/machine.sh
print_machine
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev

RUNS=${RUNS:-5}
TARGET=500000
SYMBOLS=SYNA0USDT,SYNA1USDT,SYNA2USDT,SYNB0USDT,SYNB1USDT,SYNC0USDT,SYNC1USDT,SYND0USDT,SYND1USDT,SYNX0USDT
BARS=$((10 * 366 * 288))

swift build -c release --product mntrading >/dev/null 2>&1 || swift build -c release --product mntrading
BIN=.build/release/mntrading
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PIN=()
command -v taskset >/dev/null 2>&1 && PIN=(taskset -c 0)

run_timed() { # prints wall seconds of one ingest into $1
    local start end
    start=$(date +%s.%N)
    "${PIN[@]}" "$BIN" ingest --source synthetic --data-dir "$1" --symbols "$SYMBOLS" --timeframe 5m \
        --since 2024-01-01 --until 2025-01-01 >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", b - a }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

fresh=() rerun=()
for i in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/data"
    fresh+=("$(run_timed "$WORK/data")")
    rerun+=("$(run_timed "$WORK/data")")
done
fresh_median=$(printf '%s\n' "${fresh[@]}" | median)
rerun_median=$(printf '%s\n' "${rerun[@]}" | median)
rate=$(awk -v n="$BARS" -v t="$fresh_median" 'BEGIN { print n / t }')
rerun_rate=$(awk -v n="$BARS" -v t="$rerun_median" 'BEGIN { print n / t }')

echo "bench-ingest: $BARS bars (10 symbols x 366 days x 288 5m bars), $RUNS runs, one core, release build"
printf '%-34s %10s %14s %10s\n' "case" "median s" "bars/s" "vs target"
printf '%-34s %10.3f %14.0f %9.2fx\n' "generate + insert (empty store)" "$fresh_median" "$rate" "$(awk -v r="$rate" -v t="$TARGET" 'BEGIN { print r / t }')"
printf '%-34s %10.3f %14.0f %9.2fx\n' "generate + re-ingest (no change)" "$rerun_median" "$rerun_rate" "$(awk -v r="$rerun_rate" -v t="$TARGET" 'BEGIN { print r / t }')"
echo "target: >= $TARGET bars/s generated+stored on one core"
