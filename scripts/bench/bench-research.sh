#!/usr/bin/env bash
# Benchmarks of the research stages, release build, in one run:
#  1. Engle–Granger with AIC lag choice on 5,000-bar series: statsmodels' coint vs ours, per pair
#     (single thread each), as a ratio (target ≥ 100×);
#  2. features for 50 pairs × 100k 5m bars: computed on one core, on both cores, and computed +
#     stored in SQLite (target ≤ 2 s).
#   scripts/bench/bench-research.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh
source scripts/lib/venv.sh
source scripts/lib/machine.sh
print_machine
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev
ensure_venv numpy statsmodels

swift build -c release --product mntrading >/dev/null 2>&1 || swift build -c release --product mntrading
BIN=.build/release/mntrading

echo "== research benchmark ($(nproc) cores)"
# One thread for the reference too, so the ratio compares like with like.
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python scripts/bench/bench-research.py "$BIN" 20

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
"$BIN" bench-features --pairs 50 --bars 100000 --scratch "$SCRATCH/data"
