#!/usr/bin/env bash
# The picture of the dashboard's Live page in docs/operations.md: a small synthetic market trained
# up to a day ago, served, one cycle books that bar, then a day of new bars lands and the next cycle
# books them all (the catch-up a timer does after a gap); the Live page taken with headless Chromium
# into docs/dashboard-live.png. Loopback only.
#   scripts/screenshot-live.sh [bin-dir]   (default .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-packages.sh
ensure_debian_packages chromium
BIN=${1:-.build/debug}
WORK=$(mktemp -d)
PIDS=()
trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
DIRS=(--data-dir "$WORK/data" --models-dir "$WORK/models")
NOW_S=$(date +%s)
THEN=$(date -u -d "@$(( NOW_S - 2 * 86400 ))" +%Y-%m-%dT%H:%M:%SZ)
"$BIN/mntrading" pipeline "${DIRS[@]}" --screen-days 90 --train-days 30 --holdout-days 3 --beta-window 1000 --z-window 1000 \
    --top-k 3 --n-splits 3 --min-train-rows 100 --max-rounds 40 --kinds gbdt,logistic --threads 2 --no-guardrails --now "$THEN" | tail -1
"$BIN/mntrading-serve" -m models:/mntrading_router@champion --models-dir "$WORK/models" -p 0 >"$WORK/serve.out" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' "$WORK/serve.out" | head -1)
"$BIN/mntrading-infer" --once --source none --server "$URL" "${DIRS[@]}" --log-level error | cut -c1-120
"$BIN/mntrading" ingest "${DIRS[@]}" --timeframe 5m --since "$THEN" >/dev/null
"$BIN/mntrading-infer" --once --source none --server "$URL" "${DIRS[@]}" --log-level error | cut -c1-160
"$BIN/mntrading" ops "${DIRS[@]}" --server "$URL" --port 0 >"$WORK/ops.out" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/ops.out" && break; sleep 0.1; done
OPS=$(sed -n 's/.*listening on //p' "$WORK/ops.out" | head -1)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1700 \
    --user-data-dir="$WORK/chromium" --screenshot="$PWD/docs/dashboard-live.png" "$OPS/live" 2>/dev/null
echo "docs/dashboard-live.png: $OPS/live"
