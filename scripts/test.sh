#!/usr/bin/env bash
# The project's test command (README: "Running the tests"); CI runs it through .ci/run.
# Installs the Debian packages the build needs when they are missing (needs root or sudo),
# builds everything, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/debian-packages.sh
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev

echo "==> swift build (debug, with tests)"
swift build --build-tests
echo "==> swift test"
swift test --skip-build "$@"
