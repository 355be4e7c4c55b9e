#!/usr/bin/env python3
"""Reference check: every exported member loads in onnxruntime and gives the same class-1
probability as XGBoost's own predict and as our native evaluator, |delta| <= 1e-6, on rows that
include missing values. onnxruntime is a test oracle only.
Usage: check-onnx.py DIR   (DIR holds <pair>.onnx and <pair>.check.json from `mntrading export-members`)"""
import glob
import json
import os
import sys

import numpy as np
import onnxruntime as ort

TOLERANCE = 1e-6


def main():
    directory = sys.argv[1]
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
        print(f"{'ok  ' if ok else 'FAIL'} {check['pair']} ({check['kind']}, {len(rows)} rows): "
              f"max |onnxruntime - xgboost| {worst_xgb:.2e}, max |onnxruntime - native| {worst_native:.2e}")
        passed += ok
        failed += not ok
    print(f"onnx check: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
