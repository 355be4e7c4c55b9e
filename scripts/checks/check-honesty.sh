#!/usr/bin/env bash
# Honesty checks on the release build (scripts/checks/check-honesty.py says what they are): no-edge
# markets deploy nothing, forced random walks are kept by no guardrail, planted pairs are found.
#   scripts/checks/check-honesty.sh                                   # 20 no-edge seeds, planted seeds 1,2,3
#   scripts/checks/check-honesty.sh --no-edge-seeds 40 --planted-seeds 4,5,6 --table honesty.md
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh
source scripts/lib/venv.sh
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev
swift build -c release --product mntrading >/dev/null 2>&1 || swift build -c release --product mntrading
ensure_venv
.venv/bin/python scripts/checks/check-honesty.py .build/release/mntrading "$@"
