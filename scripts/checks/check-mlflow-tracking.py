#!/usr/bin/env python3
"""Reference check: what mntrading logged and registered, read back with MLflow's own client.
Runs, their params and pair-prefixed metrics (MlflowClient.search_runs), the registered version
behind the alias (get_model_version_by_alias), and its files (mlflow.artifacts.download_artifacts)
byte-identical to the local version directory. MLflow is a test oracle only.
Usage: check-mlflow-tracking.py TRACKING_URI EXPERIMENT MODEL_NAME ALIAS LOCAL_VERSION_DIR EXPECTED_RUNS"""
import filecmp
import os
import sys
import tempfile

import mlflow
from mlflow.tracking import MlflowClient

uri, experiment, name, alias, local, expected_runs = sys.argv[1:7]
mlflow.set_tracking_uri(uri)
client = MlflowClient(uri)
problems = []

found = client.get_experiment_by_name(experiment)
runs = client.search_runs([found.experiment_id]) if found else []
if len(runs) != int(expected_runs):
    problems.append(f"{len(runs)} runs in {experiment}, expected {expected_runs} (a rerun or a second sync duplicated?)")
for run in runs:
    data = run.data
    if "mntrading.training_run" not in data.tags:
        problems.append(f"run {run.info.run_id} lacks the training-run tag")
    if run.info.status != "FINISHED":
        problems.append(f"run {run.info.run_id} is {run.info.status}")
trained = [r for r in runs if "training.cross_validation.splits" in r.data.params]
if not trained:
    problems.append("no run carries the training settings as params")
for run in trained:
    pair_metrics = [k for k in run.data.metrics if k.endswith("/oof_sharpe") and not k.startswith("portfolio")]
    if not pair_metrics:
        problems.append(f"run {run.info.run_id} has no pair-prefixed metric")
    for tag in ("mntrading.data_fingerprint", "mntrading.stage", "mntrading.code_version"):
        if tag not in run.data.tags:
            problems.append(f"run {run.info.run_id} lacks tag {tag}")

version = client.get_model_version_by_alias(name, alias)
with tempfile.TemporaryDirectory() as target:
    path = mlflow.artifacts.download_artifacts(artifact_uri=version.source, dst_path=target)
    ours = sorted(os.path.relpath(os.path.join(d, f), local) for d, _, fs in os.walk(local) for f in fs)
    theirs = sorted(os.path.relpath(os.path.join(d, f), path) for d, _, fs in os.walk(path) for f in fs)
    if ours != theirs:
        problems.append(f"registered files {theirs} differ from the local version's {ours}")
    else:
        for member in ours:
            if not filecmp.cmp(os.path.join(local, member), os.path.join(path, member), shallow=False):
                problems.append(f"{member} is not byte-identical")
    members = [f for f in ours if f.startswith("members/")]
print(f"mlflow tracking: {len(runs)} runs, {name}@{alias} = version {version.version} from run {version.run_id}, "
      f"{len(ours)} files ({len(members)} members) byte-identical" + ("" if not problems else f"; problems: {problems}"))
print(f"mlflow tracking check: {0 if problems else 1} passed, {1 if problems else 0} failed")
sys.exit(1 if problems else 0)
