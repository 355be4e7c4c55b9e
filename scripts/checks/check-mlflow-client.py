#!/usr/bin/env python3
"""Reference check: MLflow's own scoring-server client (mlflow-skinny) against mntrading-serve.
It waits for readiness, pings, reads the version and invokes with a pandas DataFrame, as teams do
today against `mlflow models serve`. MLflow is a test oracle only.
Usage: check-mlflow-client.py PORT INPUT_EXAMPLE_JSON"""
import json
import sys

import pandas as pd
from mlflow.pyfunc.scoring_server.client import ScoringServerClient

port, example = int(sys.argv[1]), sys.argv[2]
client = ScoringServerClient("127.0.0.1", port)
client.wait_server_ready(timeout=30)
client.ping()
version = client.get_version()
split = json.load(open(example))["dataframe_split"]
frame = pd.DataFrame(split["data"], columns=split["columns"])
predictions = client.invoke(frame).get_predictions()
rows = predictions.to_dict(orient="records") if hasattr(predictions, "to_dict") else list(predictions)
problems = []
if not version:
    problems.append("empty version")
if len(rows) != len(frame):
    problems.append(f"{len(rows)} predictions for {len(frame)} rows")
for row, pair in zip(rows, frame["pair"]):
    if row.get("pair") != pair or not (0 <= float(row.get("proba", -1)) <= 1) or int(row.get("signal", 9)) not in (-1, 0, 1):
        problems.append(f"bad prediction {row} for {pair}")
print(f"mlflow client: version {version!r}, {len(rows)} predictions" + ("" if not problems else f"; problems: {problems}"))
print(f"mlflow client check: {0 if problems else 1} passed, {1 if problems else 0} failed")
sys.exit(1 if problems else 0)
