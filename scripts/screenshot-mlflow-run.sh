#!/usr/bin/env bash
# The picture of a pipeline run in the MLflow UI in docs/operations.md: a small synthetic market
# logged to a local `mlflow server`, the run's page taken with headless Chromium into
# docs/mlflow-run.png.
#   scripts/screenshot-mlflow-run.sh [bin-dir]   (default .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-packages.sh
source scripts/lib/venv.sh
source scripts/lib/mlflow-server.sh
ensure_debian_packages chromium
ensure_venv mlflow
BIN_DIR=${1:-.build/debug}
WORK=$(mktemp -d)
trap 'stop_mlflow_server; rm -rf "$WORK"' EXIT
start_mlflow_server "$WORK"
"$BIN_DIR/mntrading" pipeline --data-dir "$WORK/data" --models-dir "$WORK/models" --tracking-uri "$MLFLOW_URI" \
    --screen-days 120 --train-days 20 --holdout-days 3 --top-k 6 --pvalue-max 1 --beta-window 300 --z-window 100 \
    --lag-features 3 --kinds logistic --n-splits 3 --min-train-rows 100 --no-guardrails --now 2024-07-01 2>/dev/null | grep -E "^mlflow|^pipeline"
read -r EXPERIMENT RUN < <(.venv/bin/python -c '
import sys; from mlflow.tracking import MlflowClient
c = MlflowClient(sys.argv[1]); e = c.get_experiment_by_name("mntrading"); r = c.search_runs([e.experiment_id])[0]
print(e.experiment_id, r.info.run_id)' "$MLFLOW_URI")
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1440,1000 --virtual-time-budget=15000 \
    --screenshot="$PWD/docs/mlflow-run.png" "$MLFLOW_URI/#/experiments/$EXPERIMENT/runs/$RUN/model-metrics" 2>/dev/null
echo "docs/mlflow-run.png: run $RUN of experiment $EXPERIMENT"
