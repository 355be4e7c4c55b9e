#!/usr/bin/env python3
"""onnxruntime half of scripts/bench/bench-scoring.sh: the same 200-tree member on the same rows, one
thread; prints the table with our figures (from `mntrading bench-scoring`) and the ratios.
Usage: bench-scoring.py SCRATCH_DIR OUR_TIMING_JSON"""
import json
import sys
import time

import numpy as np
import onnxruntime as ort

scratch, ours = sys.argv[1], json.loads(sys.argv[2])
meta = json.load(open(f"{scratch}/bench.json"))
rows = np.fromfile(f"{scratch}/rows.f32", dtype=np.float32).reshape(meta["batch"], meta["features"])
options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(f"{scratch}/bench.onnx", options, providers=["CPUExecutionProvider"])
session.run(None, {"input": rows[:1]})
one = []
for index in range(2000):
    row = rows[index % len(rows)][None, :]
    start = time.perf_counter()
    session.run(None, {"input": row})
    one.append((time.perf_counter() - start) * 1e6)
batch = []
for _ in range(7):
    start = time.perf_counter()
    session.run(None, {"input": rows})
    batch.append((time.perf_counter() - start) * 1e6 / len(rows))
ort_one, ort_batch = float(np.median(one)), float(np.median(batch))
print(f"member: 200 trees, depth 6, {meta['features']} features; one thread; medians")
print(f"{'':28} {'1 row (us)':>12} {'batch 10k (us/row)':>20}")
print(f"{'onnxruntime':28} {ort_one:12.2f} {ort_batch:20.3f}")
print(f"{'xgboost (C API)':28} {ours['xgboost_one_row_micros']:12.2f} {ours['xgboost_batch_micros_per_row']:20.3f}")
print(f"{'mntrading native':28} {ours['native_one_row_micros']:12.2f} {ours['native_batch_micros_per_row']:20.3f}")
print(f"{'ratio onnxruntime / ours':28} {ort_one / ours['native_one_row_micros']:11.1f}x {ort_batch / ours['native_batch_micros_per_row']:19.1f}x")
print(f"{'ratio xgboost / ours':28} {ours['xgboost_one_row_micros'] / ours['native_one_row_micros']:11.1f}x {ours['xgboost_batch_micros_per_row'] / ours['native_batch_micros_per_row']:19.1f}x")
print(f"targets: <= 3 us for one row, <= 1 us/row at batch 10k")
print(f"router of {ours['members']} such members, load + warm: {ours['router_load_and_warm_millis']:.1f} ms (target <= 300 ms)")
