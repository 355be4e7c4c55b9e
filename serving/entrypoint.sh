#!/usr/bin/env bash
# Container entry point of the scoring image: runs mntrading-serve with the environment's settings
# (every flag also reads its environment variable). Extra arguments go to mntrading-serve.
set -euo pipefail
exec mntrading-serve \
    --host "${MLFLOW_HOST:-0.0.0.0}" \
    --port "${MLFLOW_PORT:-5001}" \
    --models-dir "${MNTRADING_MODELS_DIR:-/models}" \
    --model-uri "${MNTRADING_MODEL_URI:-models:/mntrading_router@champion}" \
    "$@"
