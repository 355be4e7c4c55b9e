#!/usr/bin/env bash
# Benchmark of member scoring, release build, one thread: a 200-tree depth-6 24-feature member
# scored by onnxruntime, by XGBoost's C API and by our native evaluator on the same rows, for one
# row and for a batch of 10k, with the ratios; plus loading and warming a 20-member router.
#   scripts/bench/bench-scoring.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh
source scripts/lib/venv.sh
source scripts/lib/machine.sh
print_machine
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev
ensure_venv numpy onnxruntime
swift build -c release --product mntrading >/dev/null 2>&1 || swift build -c release --product mntrading
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
OURS=$(.build/release/mntrading bench-scoring --scratch "$SCRATCH")
.venv/bin/python scripts/bench/bench-scoring.py "$SCRATCH" "$OURS"
