#!/usr/bin/env bash
# Benchmark: 10 symbols × 1 year of 5m bars (1,054,080 bars) into an empty SQLite store, release
# build, from three sources side by side in one run: the synthetic market
# (generated), a directory of our CSV files (`--source files`) and the same bars as the exchange's
# headerless kline CSV with microsecond times (the 2025 archive layout). Prints the median of RUNS
# runs and the ratio to the target (500k bars/s). Also times the idempotent synthetic re-run
# (every bar already stored, nothing written).
#   scripts/bench/bench-ingest.sh            # 5 runs
#   RUNS=9 scripts/bench/bench-ingest.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh
source scripts/lib/machine.sh
print_machine
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev

RUNS=${RUNS:-5}
TARGET=500000
SYMBOLS=SYNA0USDT,SYNA1USDT,SYNA2USDT,SYNB0USDT,SYNB1USDT,SYNC0USDT,SYNC1USDT,SYND0USDT,SYND1USDT,SYNX0USDT
BARS=$((10 * 366 * 288))

swift build -c release --product mntrading >/dev/null 2>&1 || swift build -c release --product mntrading
BIN=.build/release/mntrading
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Both cores by default: a directory's next file is parsed while SQLite inserts this one.
# ONE_CORE=1 pins every run to core 0 (the earlier rows of docs/benchmarks.md were measured so).
PIN=()
if [ "${ONE_CORE:-0}" = 1 ] && command -v taskset >/dev/null 2>&1; then PIN=(taskset -c 0); fi
CORES=$([ ${#PIN[@]} -gt 0 ] && echo "one core" || echo "both cores")

run_timed() { # prints wall seconds of one ingest into $1
    local start end
    start=$(date +%s.%N)
    "${PIN[@]}" "$BIN" ingest --source synthetic --data-dir "$1" --symbols "$SYMBOLS" --timeframe 5m \
        --since 2024-01-01 --until 2025-01-01 >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", b - a }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The candle files: the synthetic bars as exported (our CSV), and rewritten in the exchange's layout.
"$BIN" ingest --source synthetic --data-dir "$WORK/source" --symbols "$SYMBOLS" --timeframe 5m \
    --since 2024-01-01 --until 2025-01-01 >/dev/null
"$BIN" export --data-dir "$WORK/source" --symbols "$SYMBOLS" --timeframe 5m >/dev/null
mkdir -p "$WORK/csv" "$WORK/exchange"
mv "$WORK/source/exports/"*_5m.csv "$WORK/csv/"
for file in "$WORK/csv/"*_5m.csv; do
    symbol=$(basename "$file" _5m.csv)
    awk -F, 'NR > 1 { t = $1 * 1000; printf "%.0f,%s,%s,%s,%s,%s,%.0f,0,0,0,0,0\n", t, $2, $3, $4, $5, $6, t + 299999999 }' \
        "$file" >"$WORK/exchange/$symbol-5m.csv"
done
csv_bytes=$(cat "$WORK/csv/"* | wc -c)

run_files() { # prints wall seconds of one directory ingest ($1: directory) into a fresh store
    local start end
    rm -rf "$WORK/files-data"
    start=$(date +%s.%N)
    "${PIN[@]}" "$BIN" ingest --source files --data-from "$1" --data-dir "$WORK/files-data" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", b - a }'
}

fresh=() rerun=() csv=() exchange=()
for i in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/data"
    fresh+=("$(run_timed "$WORK/data")")
    rerun+=("$(run_timed "$WORK/data")")
    csv+=("$(run_files "$WORK/csv")")
    exchange+=("$(run_files "$WORK/exchange")")
done
csv_median=$(printf '%s\n' "${csv[@]}" | median)
exchange_median=$(printf '%s\n' "${exchange[@]}" | median)
csv_rate=$(awk -v n="$BARS" -v t="$csv_median" 'BEGIN { print n / t }')
exchange_rate=$(awk -v n="$BARS" -v t="$exchange_median" 'BEGIN { print n / t }')
fresh_median=$(printf '%s\n' "${fresh[@]}" | median)
rerun_median=$(printf '%s\n' "${rerun[@]}" | median)
rate=$(awk -v n="$BARS" -v t="$fresh_median" 'BEGIN { print n / t }')
rerun_rate=$(awk -v n="$BARS" -v t="$rerun_median" 'BEGIN { print n / t }')

echo "bench-ingest: $BARS bars (10 symbols x 366 days x 288 5m bars), $RUNS runs, $CORES, release build"
printf '%-34s %10s %14s %10s\n' "case" "median s" "bars/s" "vs target"
printf '%-34s %10.3f %14.0f %9.2fx\n' "generate + insert (empty store)" "$fresh_median" "$rate" "$(awk -v r="$rate" -v t="$TARGET" 'BEGIN { print r / t }')"
printf '%-34s %10.3f %14.0f %9.2fx\n' "generate + re-ingest (no change)" "$rerun_median" "$rerun_rate" "$(awk -v r="$rerun_rate" -v t="$TARGET" 'BEGIN { print r / t }')"
printf '%-34s %10.3f %14.0f %9.2fx\n' "our CSV files (empty store)" "$csv_median" "$csv_rate" "$(awk -v r="$csv_rate" -v t="$TARGET" 'BEGIN { print r / t }')"
printf '%-34s %10.3f %14.0f %9.2fx\n' "exchange kline CSV, µs (empty store)" "$exchange_median" "$exchange_rate" "$(awk -v r="$exchange_rate" -v t="$TARGET" 'BEGIN { print r / t }')"
echo "CSV files: 10 files, $csv_bytes bytes; each run reads, checks and stores all of them in one process and one transaction"
echo "target: >= $TARGET bars/s stored, from every source ($CORES)"
