#!/usr/bin/env bash
# Serving benchmark, release build, loopback only: mntrading-serve under wrk (1 / 100 / 1000 rows per
# request, 8 connections) on /invocations (bodies by json.dumps and by pandas), on the Open Inference
# Protocol route and on /ping, and the same member served by `mlflow models serve` when WITH_MLFLOW=1
# (installs mlflow into the venv) or mlflow is already there; prints the ratios in the same run.
# wrk runs two threads (WRK_THREADS to change); then the 1-row case again with a core each
# (the server with one event loop, wrk with one thread), for a p99 free of the scheduler's time slices.
#   scripts/bench/bench-serving.sh
#   WITH_MLFLOW=1 BENCH_SECONDS=10 scripts/bench/bench-serving.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh
source scripts/lib/venv.sh
source scripts/lib/machine.sh
print_machine
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev wrk
ensure_venv numpy onnxruntime pandas
if [ "${WITH_MLFLOW:-0}" = 1 ]; then ensure_venv mlflow onnx pandas; fi
swift build -c release --product mntrading >/dev/null 2>&1 || swift build -c release --product mntrading
swift build -c release --product mntrading-serve >/dev/null 2>&1 || swift build -c release --product mntrading-serve
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
.build/release/mntrading bench-scoring --scratch "$SCRATCH" >/dev/null
.venv/bin/python scripts/bench/bench-serving.py "$SCRATCH" .build/release/mntrading-serve
