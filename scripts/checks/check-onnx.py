#!/usr/bin/env python3
"""Reference check: every exported member loads in onnxruntime and gives the same class-1
probability as XGBoost's own predict and as our native evaluator, |delta| <= 1e-6, on rows that
include missing values. onnxruntime is a test oracle only.
With --router, the same rows also go through `mntrading models predict` against a router whose
members are these models (trained with --calibration none, so its probabilities are the members').
Usage: check-onnx.py DIR [--router MNTRADING MODELS_DIR URI]
  (DIR holds <pair>.onnx and <pair>.check.json from `mntrading export-members`)"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

TOLERANCE = 1e-6


def router_predictions(router, pair, rows):
    """Probabilities from `mntrading models predict` for `rows` of `pair`."""
    binary, models_dir, uri = router
    directory = subprocess.run([binary, "models", "show", uri, "--models-dir", models_dir], check=True,
                               capture_output=True, text=True).stdout.split("directory: ")[1].splitlines()[0]
    columns = json.load(open(os.path.join(directory, "router.json")))["feature_columns"]
    body = {"dataframe_split": {"columns": ["pair"] + columns,
                                "data": [[pair] + [None if np.isnan(v) else float(v) for v in row] for row in rows]}}
    with tempfile.NamedTemporaryFile("w", suffix=".json") as handle:
        json.dump(body, handle)
        handle.flush()
        answer = subprocess.run([binary, "models", "predict", "-m", uri, "-i", handle.name, "--models-dir", models_dir],
                                check=True, capture_output=True, text=True).stdout
    return np.array([p["proba"] for p in json.loads(answer)["predictions"]], dtype=np.float64)


def main():
    directory = sys.argv[1]
    router = sys.argv[3:6] if len(sys.argv) >= 6 and sys.argv[2] == "--router" else None
    passed = failed = 0
    files = sorted(glob.glob(os.path.join(directory, "*.onnx")))
    if not files:
        sys.exit(f"no .onnx files in {directory}")
    for path in files:
        check = json.load(open(path[: -len(".onnx")] + ".check.json"))
        rows = np.array([[float(v) for v in row] for row in check["rows"]], dtype=np.float32)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"input": rows})))
        onnx = np.asarray(outputs["probabilities"], dtype=np.float64)[:, 1]
        xgb = np.array(check["xgboost"], dtype=np.float64)
        native = np.array(check["native"], dtype=np.float64)
        worst_xgb = float(np.max(np.abs(onnx - xgb)))
        worst_native = float(np.max(np.abs(onnx - native)))
        ok = worst_xgb <= TOLERANCE and worst_native <= TOLERANCE
        line = (f"{check['pair']} ({check['kind']}, {len(rows)} rows): max |onnxruntime - xgboost| {worst_xgb:.2e}, "
                f"max |onnxruntime - native| {worst_native:.2e}")
        if router:
            worst_router = float(np.max(np.abs(onnx - router_predictions(router, check["pair"], rows))))
            ok = ok and worst_router <= TOLERANCE
            line += f", max |onnxruntime - models predict| {worst_router:.2e}"
        print(f"{'ok  ' if ok else 'FAIL'} {line}")
        passed += ok
        failed += not ok
    print(f"onnx check: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
