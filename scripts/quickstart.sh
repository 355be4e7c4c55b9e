#!/usr/bin/env bash
# The whole system on the embedded synthetic market, in one command:
#   scripts/quickstart.sh
# Installs missing Debian packages (as scripts/test.sh does), builds in release mode, runs
# `mntrading pipeline` (ingest → screen → features → dataset → train → select → router), starts
# `mntrading-serve` on a free local port, waits for /ping, runs one `mntrading-infer --once` against
# it, stops the server and prints where the orders and the report are. Safe to run again: the
# pipeline skips stages whose inputs have not changed. Leaves no process behind, also on failure.
#
# QUICKSTART_DIR (default ./quickstart) holds data/ and models/; extra arguments go to the pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source scripts/lib/debian-packages.sh
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev

WORK=${QUICKSTART_DIR:-$ROOT/quickstart}
DATA="$WORK/data"
MODELS="$WORK/models"
BIN="$ROOT/.build/release"
SERVE_PID=""
cleanup() {
    if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
        kill "$SERVE_PID" 2>/dev/null || true
        wait "$SERVE_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT INT TERM

echo "==> building (release)"
BUILD_LOG=$(mktemp)
for product in mntrading mntrading-serve mntrading-infer; do
    # A failed build stops here (a binary left from an older build must not pass for this one).
    if ! swift build -c release --product "$product" >"$BUILD_LOG" 2>&1; then
        grep -E "error" "$BUILD_LOG" >&2 || tail -20 "$BUILD_LOG" >&2
        echo "error: building $product failed; full log: $BUILD_LOG" >&2
        exit 1
    fi
done
rm -f "$BUILD_LOG"

STARTED=$(date +%s)
mkdir -p "$WORK"
echo "==> mntrading pipeline (synthetic market) into $WORK"
status=0
"$BIN/mntrading" pipeline --data-dir "$DATA" --models-dir "$MODELS" "$@" || status=$?
if [ "$status" -eq 10 ]; then
    # A normal outcome: no pair earned its place out of sample, so there is nothing to serve.
    echo "==> nothing deployable: no server or inference cycle to run (see $DATA/training/selection.json)"
    exit 10
fi
[ "$status" -eq 0 ] || exit "$status"

echo "==> mntrading-serve on a free port"
"$BIN/mntrading-serve" -m models:/mntrading_router@champion --models-dir "$MODELS" -p 0 >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVE_PID=$!
URL=""
for _ in $(seq 1 100); do
    URL=$(sed -n 's/^listening on //p' "$WORK/serve.out" | head -1)
    [ -n "$URL" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || { echo "error: mntrading-serve exited; see $WORK/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$URL" ] || { echo "error: mntrading-serve did not start within 10 s; see $WORK/serve.log" >&2; exit 1; }
echo "    $URL (pid $SERVE_PID)"

echo "==> mntrading-infer --once"
"$BIN/mntrading-infer" --once --warmup --warmup-timeout 30 --server "$URL" --data-dir "$DATA" --source synthetic

cleanup
SERVE_PID=""
ELAPSED=$(( $(date +%s) - STARTED ))
REPORT="$DATA/portfolio/$(cat "$DATA/portfolio/latest_report")/report.html"
cat <<EOF

Done in ${ELAPSED} s after the build.
  orders:  $DATA/portfolio/latest_orders.json (and orders_<bar>.csv beside it)
  report:  $REPORT
  signals: $DATA/signals/

By hand:
  $BIN/mntrading-serve -m models:/mntrading_router@champion --models-dir $MODELS -p 5001
  $BIN/mntrading-infer --server http://127.0.0.1:5001 --data-dir $DATA --every 5m
EOF
