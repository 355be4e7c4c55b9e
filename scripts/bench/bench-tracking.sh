#!/usr/bin/env bash
# Benchmark of MLflow tracking against a local `mlflow server` (SQLite, --serve-artifacts):
#  1. what logging a 20-pair training run adds: the run is recorded offline (server down), then
#     `mntrading track sync` sends it (experiment, run, params, pair metrics in log-batch, report);
#     its wall time, process start included, is the cost (target ≤ 1 s);
#  2. serving from the registry: a 20-member router registered with `router --register`, then
#     mntrading-serve started twice on the same models dir; the second start (warm cache: one
#     registry call, no download) is timed from launch to /ping 200 (target ≤ 1 s).
#   scripts/bench/bench-tracking.sh                 # release build
#   BIN_DIR=.build/debug scripts/bench/bench-tracking.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/venv.sh
source scripts/lib/mlflow-server.sh
source scripts/lib/machine.sh
print_machine
ensure_venv mlflow
if [ -z "${BIN_DIR:-}" ]; then
    swift build -c release >/dev/null 2>&1 || swift build -c release
    BIN_DIR=.build/release
fi
WORK=$(mktemp -d)
SERVE_PID=""
cleanup() { [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; stop_mlflow_server; rm -rf "$WORK"; }
trap cleanup EXIT
MN="$BIN_DIR/mntrading"
DATA=(--data-dir "$WORK/data" --models-dir "$WORK/models")
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

start_mlflow_server "$WORK"
echo "== 20 pairs trained (small synthetic market, logistic candidates), $(nproc) cores, $BIN_DIR"
"$MN" pipeline "${DATA[@]}" --screen-days 120 --train-days 20 --holdout-days 3 --top-k ${PAIRS:-20} --pvalue-max 1 \
    --beta-window 300 --z-window 100 --lag-features 3 --kinds logistic --n-splits 3 --min-train-rows 100 \
    --no-guardrails --now 2024-07-01 2>/dev/null | tail -1
"$MN" train "${DATA[@]}" --kinds logistic --n-splits 3 --min-train-rows 100 --holdout-days 3 \
    --tracking-uri http://127.0.0.1:9 2>&1 | grep -E "^train:|^warning: not logged" | cut -c1-160
# One request first: the Python server's first answer pays its own lazy imports, which is not
# what logging costs.
curl -fsS -X POST "$MLFLOW_URI/api/2.0/mlflow/experiments/search" -H 'Content-Type: application/json' -d '{"max_results": 1}' >/dev/null
start=$(now)
"$MN" track sync "${DATA[@]}" --tracking-uri "$MLFLOW_URI" | cut -c1-160
end=$(now)
echo "logging a 20-pair training run (track sync, process start included): $(seconds "$start" "$end") s"

"$MN" select "${DATA[@]}" --no-guardrails >/dev/null 2>&1
"$MN" router "${DATA[@]}" --tracking-uri "$MLFLOW_URI" --register | tail -1 | cut -c1-160
serve_once() { # → seconds from launch to /ping 200
    local log="$WORK/serve.$1" start
    start=$(now)
    "$BIN_DIR/mntrading-serve" -m models:/mntrading_router@champion --tracking-uri "$MLFLOW_URI" --models-dir "$WORK/serving" \
        -p 0 --reload-interval 0 >"$log" 2>"$log.err" &
    SERVE_PID=$!
    local port=""
    for _ in $(seq 1 2000); do
        port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$log" | head -1)
        [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && break
        sleep 0.005
    done
    local end; end=$(now)
    [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/ping" >/dev/null 2>&1 || { echo "server not ready: $(grep -m1 registry "$log.err" | cut -c1-400)" >&2; }
    kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
    seconds "$start" "$end"
}
echo "registry cold start, empty cache (download + verify + load): $(serve_once 1) s"
for i in 2 3 4; do echo "registry cold start, warm cache: $(serve_once "$i") s"; done
members=$(find "$WORK/serving/.mlflow-registry" -path "*/members/*" -type f | wc -l)
echo "($members-member router)"
