#!/usr/bin/env bash
# The project's test command (README: "Running the tests"); CI runs it through .ci/run.
# Installs the Debian packages the build needs when they are missing (needs root or sudo),
# builds everything, runs the Swift test suite, then the reference checks against statsmodels
# (in a venv under .venv that this script creates).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/debian-packages.sh
source scripts/lib/venv.sh
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev

echo "==> swift build (debug, with tests)"
swift build --build-tests
echo "==> swift test"
swift test --skip-build "$@"

echo "==> reference check: ADF and Engle–Granger against statsmodels"
ensure_venv numpy statsmodels
.venv/bin/python scripts/check-statsmodels.py .build/debug/mntrading
