#!/usr/bin/env bash
# Soak of mntrading-serve under load and under hostile clients, release build, loopback only:
# RSS after warm-up, during and after a saturating wrk run (default 60 s, the default 60 s request
# deadline), 10 s after; the memory of 2,000 idle connections; and a slowloris run (thousands of
# connections sending their heads a byte at a time) during which /ping's latency and the server's
# open descriptors are measured. Prints each figure beside its target.
#   scripts/bench/soak-serving.sh
#   SOAK_SECONDS=20 SLOW_CONNECTIONS=3000 SLOW_RATE=5000 scripts/bench/soak-serving.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh
source scripts/lib/venv.sh
source scripts/lib/machine.sh
print_machine
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev wrk
ensure_venv numpy
swift build -c release --product mntrading >/dev/null 2>&1 || swift build -c release --product mntrading
swift build -c release --product mntrading-serve >/dev/null 2>&1 || swift build -c release --product mntrading-serve
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
.build/release/mntrading bench-scoring --scratch "$SCRATCH" >/dev/null
.venv/bin/python scripts/bench/soak-serving.py "$SCRATCH" .build/release/mntrading-serve
