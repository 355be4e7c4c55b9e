#!/usr/bin/env bash
# MLflow tracking and registry against a real `mlflow server` (SQLite backend, --serve-artifacts)
# on a small synthetic market: offline-first logging and an idempotent `track sync`, the pipeline's
# run and registered version read back with MLflow's own client (files byte-identical), serving
# from the registry, and registered versions that leave the served one in place: a corrupt one
# (refused once, logged once), one holding a file nothing lists (refused unfetched), one over
# --max-model-bytes.
# Usage: scripts/checks/check-mlflow-tracking.sh [bin-dir]   (default .build/debug)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/venv.sh
source scripts/lib/mlflow-server.sh
ensure_venv mlflow

BIN_DIR=${1:-.build/debug}
WORK=$(mktemp -d)
SERVE_PID=""
cleanup() { [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; stop_mlflow_server; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

start_mlflow_server "$WORK"
echo "mlflow server $MLFLOW_URI (pid $MLFLOW_PID)"
DATA=(--data-dir "$WORK/data" --models-dir "$WORK/models")
MN="$BIN_DIR/mntrading"
SMALL=(--screen-days 120 --train-days 20 --beta-window 300 --z-window 100 --lag-features 3 --holdout-days 3 --kinds logistic --n-splits 3 --min-train-rows 100 --no-guardrails --now 2024-07-01)

# 1. Offline first: the server is down (a closed port) → the pipeline completes, one warning line.
DOWN="http://127.0.0.1:9"
"$MN" pipeline "${DATA[@]}" "${SMALL[@]}" --tracking-uri "$DOWN" >"$WORK/offline.out" 2>"$WORK/offline.err" || fail "pipeline with the server down: $(cat "$WORK/offline.err")"
[ "$(grep -c "^warning: not logged to MLflow" "$WORK/offline.err")" = 1 ] || fail "expected one warning line, got: $(cat "$WORK/offline.err")"
echo "offline: $(grep '^warning' "$WORK/offline.err")"
# 2. track sync sends it; a second sync sends nothing; a pipeline rerun logs nothing twice.
"$MN" track sync "${DATA[@]}" --tracking-uri "$MLFLOW_URI" | tee "$WORK/sync1.out"
grep -q "registered mntrading_router version 1" "$WORK/sync1.out" || fail "first sync did not register the router"
"$MN" track sync "${DATA[@]}" --tracking-uri "$MLFLOW_URI" | tee "$WORK/sync2.out"
grep -q "nothing to log" "$WORK/sync2.out" || fail "second sync logged again"
"$MN" pipeline "${DATA[@]}" "${SMALL[@]}" --tracking-uri "$MLFLOW_URI" >"$WORK/rerun.out" || fail "pipeline rerun"
grep -q "nothing to log" "$WORK/rerun.out" || fail "pipeline rerun logged again: $(grep mlflow "$WORK/rerun.out")"
# 3. MLflow's own client: one run, the registered version's files byte-identical to ours.
.venv/bin/python scripts/checks/check-mlflow-tracking.py "$MLFLOW_URI" mntrading mntrading_router champion "$WORK/models/mntrading_router/1" 1

# 4. Serving from the registry (an empty models dir: everything comes from the registry).
SERVE_LOG="$WORK/serve.out"
"$BIN_DIR/mntrading-serve" -m models:/mntrading_router@champion --tracking-uri "$MLFLOW_URI" --models-dir "$WORK/serving" \
    -p 0 --reload-interval 0.5 >"$SERVE_LOG" 2>"$WORK/serve.err" &
SERVE_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$SERVE_LOG" && break; sleep 0.1; done
PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$SERVE_LOG" | head -1)
[ -n "$PORT" ] || fail "mntrading-serve did not start: $(cat "$WORK/serve.err")"
EXAMPLE="$WORK/models/mntrading_router/1/input_example.json"
curl -fsS "http://127.0.0.1:$PORT/invocations" -H 'Content-Type: application/json' --data-binary "@$EXAMPLE" >"$WORK/pred1.json" || fail "scoring from the registry"
grep -q '"model_version":1' "$WORK/pred1.json" || fail "not version 1: $(head -c 300 "$WORK/pred1.json")"
echo "serving from the registry: version 1 answers"

# Registers a copy of version 1 as version $1 of our numbering (so only what $2 does to it differs)
# and points champion at it; $2 is Python run on the copy's directory, `copy`.
register_copy() {
    .venv/bin/python - "$MLFLOW_URI" "$WORK/models/mntrading_router/1" "$1" "$2" <<'PY'
import json, os, shutil, sys, tempfile
from mlflow.tracking import MlflowClient
uri, local, number, change = sys.argv[1:5]
client = MlflowClient(uri)
copy = tempfile.mkdtemp()
shutil.copytree(local, copy, dirs_exist_ok=True)
manifest = json.load(open(os.path.join(copy, "router.json")))
manifest["version"] = int(number)
json.dump(manifest, open(os.path.join(copy, "router.json"), "w"))
exec(change)
experiment = client.get_experiment_by_name("corrupt") or client.get_experiment(client.create_experiment("corrupt"))
run = client.create_run(experiment.experiment_id)
client.log_artifacts(run.info.run_id, copy, "model")
client.set_terminated(run.info.run_id)
version = client.create_model_version("mntrading_router", f"{run.info.artifact_uri}/model", run.info.run_id)
client.set_registered_model_alias("mntrading_router", "champion", version.version)
PY
}

# 5. A corrupt version behind the alias: the server keeps serving version 1 and says why.
register_copy 2 'member = os.path.join(copy, "members", sorted(os.listdir(os.path.join(copy, "members")))[0]); open(member, "wb").write(b"not an onnx model")'
for _ in $(seq 1 50); do grep -q "cannot be followed" "$WORK/serve.err" && break; sleep 0.2; done
grep -q "cannot be followed" "$WORK/serve.err" || fail "the corrupt version was not reported: $(tail -5 "$WORK/serve.err")"
curl -fsS "http://127.0.0.1:$PORT/invocations" -H 'Content-Type: application/json' --data-binary "@$EXAMPLE" >"$WORK/pred2.json" || fail "scoring after the corrupt version"
grep -q '"model_version":1' "$WORK/pred2.json" || fail "the corrupt version replaced version 1"
echo "corrupt version refused, version 1 still serving: $(grep -m1 'cannot be followed' "$WORK/serve.err" | cut -c1-220)"
# The refused version is not downloaded again at every reload, and its problem is logged once,
# in words that do not change (no temporary directory's random name).
sleep 3
[ "$(grep -c "cannot be followed" "$WORK/serve.err")" = 1 ] || fail "the corrupt version was logged more than once: $(grep -c "cannot be followed" "$WORK/serve.err") times"
grep "cannot be followed" "$WORK/serve.err" | grep -q ".tmp-" && fail "the problem names a temporary directory: $(grep -m1 'cannot be followed' "$WORK/serve.err")"
echo "the corrupt version is logged once"

# 6. A version holding a file its MLmodel and router.json do not list (50 MB): refused before any
# byte of it is fetched; version 1 keeps serving and the server stays small.
register_copy 3 'open(os.path.join(copy, "extra.bin"), "wb").write(b"\0" * (50 << 20))'
for _ in $(seq 1 50); do grep -q "do not list" "$WORK/serve.err" && break; sleep 0.2; done
grep -q "do not list (extra.bin)" "$WORK/serve.err" || fail "the version with an unlisted file was not refused: $(tail -3 "$WORK/serve.err")"
curl -fsS "http://127.0.0.1:$PORT/invocations" -H 'Content-Type: application/json' --data-binary "@$EXAMPLE" | grep -q '"model_version":1' \
    || fail "the version with an unlisted file replaced version 1"
PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVE_PID/status")
[ "$PEAK_KB" -lt 150000 ] || fail "the server's peak memory is ${PEAK_KB} kB: the unlisted file was fetched"
[ ! -e "$WORK/serving/.mlflow-registry/mntrading_router/3" ] || fail "the refused version was kept"
echo "a version with an unlisted 50 MB file refused, not fetched (server peak ${PEAK_KB} kB), version 1 still serving"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""

# 7. --max-model-bytes (here from its environment variable): a version larger than it is refused;
# with no copy cached the server waits (503) instead of serving it.
register_copy 4 'open(os.path.join(copy, "router.json"), "a").write(" " * (2 << 20))'
MNTRADING_MAX_MODEL_BYTES=1048576 "$BIN_DIR/mntrading-serve" -m models:/mntrading_router@champion --tracking-uri "$MLFLOW_URI" \
    --models-dir "$WORK/serving-small" -p 0 --reload-interval 0.5 >"$SERVE_LOG" 2>"$WORK/serve-small.err" &
SERVE_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$SERVE_LOG" && break; sleep 0.1; done
PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$SERVE_LOG" | head -1)
grep -q "larger than 1048576 bytes" "$WORK/serve-small.err" || fail "a version over --max-model-bytes was not refused: $(tail -3 "$WORK/serve-small.err")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/ping")" = 503 ] || fail "a server with only an oversized version answered /ping"
echo "a version over --max-model-bytes refused: $(grep -m1 'larger than' "$WORK/serve-small.err" | cut -c1-200)"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
echo "mlflow tracking and registry: all checks passed"
