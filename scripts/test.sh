#!/usr/bin/env bash
# The project's test command (README: "The two commands"); CI runs it through .ci/run.
# Installs the Debian packages the build needs when they are missing (needs root or sudo),
# builds everything, runs the Swift test suite (Chromium renders the inference report), then the
# reference checks against statsmodels, onnxruntime, MLflow's client and pyarrow, DuckDB and Polars (Parquet), and a real `mlflow server`
# for tracking and the registry (in a venv under .venv
# that this script creates).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/debian-packages.sh
source scripts/lib/venv.sh
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev chromium
# The report test renders report.html with headless Chromium; here it must not be skipped.
export MNTRADING_REQUIRE_CHROMIUM=1

# Each stage's duration, so a slow one shows.
SCRIPT_START=$SECONDS
STAGE_START=$SECONDS
STAGE_NAME=""
stage() {
    [ -n "$STAGE_NAME" ] && echo "    ($STAGE_NAME: $((SECONDS - STAGE_START)) s)"
    STAGE_NAME=$1
    STAGE_START=$SECONDS
    echo "==> $1"
}

stage "format: swift format lint (the repository's .swift-format; generated protobuf code aside)"
git ls-files -z '*.swift' | grep -zv '/Generated/' | xargs -0 swift format lint --strict --parallel

stage "swift build (debug, with tests)"
swift build --build-tests
stage "swift test"
# One test at a time: several tests block while programs they started run, and on a 2-core
# machine that can starve Swift's cooperative pool, which the in-process servers of other tests
# need; serial runs keep the server tests' timeouts meaningful.
swift test --skip-build --no-parallel "$@"

stage "reference check: ADF and Engle–Granger against statsmodels"
ensure_venv numpy statsmodels
.venv/bin/python scripts/checks/check-statsmodels.py .build/debug/mntrading

stage "reference check: Deflated Sharpe Ratio, trial clusters and PBO against numpy/scipy"
.venv/bin/python scripts/checks/check-trial-statistics.py .build/debug/mntrading

stage "reference check: ONNX members against onnxruntime and XGBoost"
ensure_venv numpy onnxruntime
ONNX_WORK=$(mktemp -d)
trap 'rm -rf "$ONNX_WORK"' EXIT
BIN=.build/debug/mntrading
DATA=(--data-dir "$ONNX_WORK/data")
"$BIN" ingest "${DATA[@]}" --since 2024-01-01 --until 2024-07-01 >/dev/null
"$BIN" screen "${DATA[@]}" --top-k 3 >/dev/null
"$BIN" ingest "${DATA[@]}" --timeframe 5m --since 2024-06-01 --until 2024-07-01 >/dev/null
"$BIN" features "${DATA[@]}" --beta-window 300 --z-window 100 >/dev/null
"$BIN" dataset "${DATA[@]}" --lag-features 3 >/dev/null
MODELS=(--models-dir "$ONNX_WORK/models")
for kinds in gbdt,rf logistic; do
    # Uncalibrated, so the router's probabilities are the members' own.
    "$BIN" train "${DATA[@]}" --n-splits 3 --max-rounds 80 --threads 2 --kinds "$kinds" --calibration none --holdout-days 3 --min-train-rows 100 >/dev/null
    "$BIN" export-members "${DATA[@]}" --out "$ONNX_WORK/$kinds" >/dev/null
    "$BIN" select "${DATA[@]}" --no-guardrails >/dev/null 2>&1
    "$BIN" router "${DATA[@]}" "${MODELS[@]}" --name "check_${kinds/,/_}" >/dev/null
    .venv/bin/python scripts/checks/check-onnx.py "$ONNX_WORK/$kinds" --router "$BIN" "$ONNX_WORK/models" "models:/check_${kinds/,/_}@champion"
done

stage "reference check: MLflow's scoring-server client against mntrading-serve"
ensure_venv pandas mlflow-skinny
SERVE_LOG="$ONNX_WORK/serve.out"
.build/debug/mntrading-serve -m "models:/check_logistic@champion" --models-dir "$ONNX_WORK/models" -p 0 >"$SERVE_LOG" 2>/dev/null &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true; rm -rf "$ONNX_WORK"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$SERVE_LOG" && break; sleep 0.1; done
SERVE_PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$SERVE_LOG" | head -1)
.venv/bin/python scripts/checks/check-mlflow-client.py "$SERVE_PORT" "$ONNX_WORK/models/check_logistic/1/input_example.json"

stage "reference check: Triton's Open Inference Protocol client against mntrading-serve"
ensure_venv numpy 'tritonclient[http]'
.venv/bin/python scripts/checks/check-v2-client.py "$SERVE_PORT" check_logistic "$ONNX_WORK/models/check_logistic/1/input_example.json"

stage "reference check: every exported table read back by pyarrow, DuckDB and Polars, equal to the store"
ensure_venv pyarrow duckdb polars
.venv/bin/python scripts/checks/check-parquet.py .build/debug

stage "browser check: the ops dashboard in headless Chromium (Selenium): a cycle, promote, roll back"
ensure_debian_packages chromium chromium-driver
ensure_venv selenium
# A second version, so there is one to promote and one to roll back to; the server follows it.
"$BIN" router "${DATA[@]}" "${MODELS[@]}" --name check_logistic >/dev/null
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$SERVE_PORT/metadata" | grep -q '"version" *: *2' && break; sleep 0.2; done
OPS_LOG="$ONNX_WORK/ops.out"
.build/debug/mntrading ops "${DATA[@]}" "${MODELS[@]}" --model-name check_logistic --server "http://127.0.0.1:$SERVE_PORT" --cycle-source none \
    --port 0 >"$OPS_LOG" 2>/dev/null &
OPS_PID=$!
trap 'kill "$SERVE_PID" "$OPS_PID" 2>/dev/null || true; rm -rf "$ONNX_WORK"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$OPS_LOG" && break; sleep 0.1; done
OPS_PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$OPS_LOG" | head -1)
.venv/bin/python scripts/checks/check-dashboard.py "$OPS_PORT" "$SERVE_PORT" "${SCREENSHOT_DIR:-$ONNX_WORK/screenshots}"
kill "$OPS_PID"
wait "$OPS_PID" || true
kill "$SERVE_PID"
wait "$SERVE_PID" || true

stage "real component: MLflow tracking and registry against a real mlflow server (small market)"
scripts/checks/check-mlflow-tracking.sh .build/debug

stage "honesty: no-edge markets deploy nothing, planted pairs are found (release build)"
scripts/checks/check-honesty.sh
stage "done"
echo "==> all stages passed in $((SECONDS - SCRIPT_START)) s"
