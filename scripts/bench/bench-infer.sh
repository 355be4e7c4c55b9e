#!/usr/bin/env bash
# Benchmark of one inference cycle, release build, loopback only: a 20-pair router served by
# mntrading-serve; before each cycle one new closed 5m bar lands in the store (not timed), then
# `mntrading-infer --once --source none` is timed end to end: metadata, features update, one
# request, signals and the paper ledger's booking, orders and report. Prints the median wall time
# and the median of each step. Then a replay of the last 30 days of 5m bars for the 20 pairs
# (`mntrading-infer --replay`, the server answering every bar's rows) is timed end to end.
#   scripts/bench/bench-infer.sh            # 11 cycles
#   CYCLES=21 scripts/bench/bench-infer.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh
source scripts/lib/machine.sh
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev
for product in mntrading mntrading-serve mntrading-infer; do
    swift build -c release --product "$product" >/dev/null 2>&1 || swift build -c release --product "$product"
done
BIN=.build/release
CYCLES=${CYCLES:-11}
SCRATCH=$(mktemp -d)
SERVE_PID=""
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
DATA=(--data-dir "$SCRATCH/data" --models-dir "$SCRATCH/models" --log-level error)
FIVE_MINUTES=300000
NOW_MS=$(( $(date +%s) * 1000 ))
# The store ends CYCLES bars before the newest closed bar; each cycle adds one.
END_MS=$(( NOW_MS / FIVE_MINUTES * FIVE_MINUTES - (CYCLES + 1) * FIVE_MINUTES ))

print_machine
echo "==> preparing a 20-pair router on 38 days of synthetic 5m bars (12 symbols)"
"$BIN/mntrading" ingest "${DATA[@]}" --timeframe 1h --until "$END_MS" >/dev/null
# Loose screen thresholds: the benchmark needs 20 pairs, not good ones.
"$BIN/mntrading" screen "${DATA[@]}" --corr-min=-1 --pvalue-max 1 --top-k 20 >/dev/null
"$BIN/mntrading" ingest "${DATA[@]}" --timeframe 5m --since $(( END_MS - 38 * 86400000 )) --until "$END_MS" >/dev/null
"$BIN/mntrading" features "${DATA[@]}" --beta-window 1000 --z-window 1000 >/dev/null
"$BIN/mntrading" dataset "${DATA[@]}" >/dev/null
"$BIN/mntrading" train "${DATA[@]}" --kinds logistic --n-splits 3 --threads 2 --min-rows 50 --min-train-rows 50 --holdout-days 3 >/dev/null
"$BIN/mntrading" select "${DATA[@]}" --no-guardrails >/dev/null 2>&1
"$BIN/mntrading" router "${DATA[@]}" | head -1

"$BIN/mntrading-serve" -m models:/mntrading_router@champion --models-dir "$SCRATCH/models" -p 0 >"$SCRATCH/serve.out" 2>/dev/null &
SERVE_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$SCRATCH/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' "$SCRATCH/serve.out" | head -1)
[ -n "$URL" ] || { echo "error: mntrading-serve did not start" >&2; exit 1; }

echo "==> $CYCLES cycles against $URL"
for i in $(seq 1 "$CYCLES"); do
    "$BIN/mntrading" ingest "${DATA[@]}" --timeframe 5m --since $(( END_MS - FIVE_MINUTES )) --until $(( END_MS + i * FIVE_MINUTES )) >/dev/null
    start=$(date +%s%N)
    "$BIN/mntrading-infer" --once --source none --server "$URL" --data-dir "$SCRATCH/data" --min-proba 0 --log-level info \
        >"$SCRATCH/cycle.out" 2>"$SCRATCH/cycle.err"
    end=$(date +%s%N)
    steps=$(sed -n 's/.*steps: //p' "$SCRATCH/cycle.err")
    echo "$(( (end - start) / 1000000 )) $steps" >>"$SCRATCH/times"
done
python3 - "$SCRATCH/times" <<'EOF'
import re, statistics, sys
walls, steps = [], {}
for line in open(sys.argv[1]):
    wall, _, rest = line.strip().partition(" ")
    walls.append(int(wall))
    for name, seconds in re.findall(r"(\w+) ([0-9.]+) s", rest):
        steps.setdefault(name, []).append(float(seconds) * 1000)
print(f"cycle wall time, median of {len(walls)}: {statistics.median(walls):.0f} ms (min {min(walls)}, max {max(walls)}); target <= 1000 ms")
print("median per step: " + ", ".join(f"{name} {statistics.median(v):.1f} ms" for name, v in steps.items()))
EOF

# The replay: the 30 days before the newest stored bar (the 8 days before them warm the features: beta and z windows of 1000 bars each).
NEWEST_MS=$(( END_MS + (CYCLES - 1) * FIVE_MINUTES ))
SINCE=$(python3 -c "import datetime,sys; print(datetime.datetime.fromtimestamp(int(sys.argv[1])/1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))" $(( NEWEST_MS - 30 * 86400000 + FIVE_MINUTES )))
UNTIL=$(python3 -c "import datetime,sys; print(datetime.datetime.fromtimestamp(int(sys.argv[1])/1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))" "$NEWEST_MS")
echo "==> replay $SINCE .. $UNTIL against $URL"
start=$(date +%s%N)
"$BIN/mntrading-infer" --replay --since "$SINCE" --until "$UNTIL" --server "$URL" --data-dir "$SCRATCH/data" --min-proba 0 \
    --ledger "$SCRATCH/replay.sqlite" --log-level error >"$SCRATCH/replay.out"
end=$(date +%s%N)
head -1 "$SCRATCH/replay.out"
echo "replay wall time: $(( (end - start) / 1000000 )) ms for 30 days of 5m bars, 20 pairs, server included; target <= 60000 ms"
