#!/usr/bin/env python3
"""Engle-Granger (AIC lag choice) on 5,000-bar series: statsmodels' coint vs `mntrading stat-test`,
side by side in one run, same inputs. Prints medians per pair and the ratio.
Usage: bench-research.py PATH/TO/mntrading [PAIRS]"""
import json
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from statsmodels.tsa.stattools import coint

warnings.filterwarnings("ignore")
mntrading = sys.argv[1]
pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
rng = np.random.default_rng(5)
n = 5000
cases = []
for i in range(pairs):
    common = np.cumsum(rng.standard_normal(n)) * 0.01
    b = 4 + common + np.cumsum(rng.standard_normal(n)) * 0.002 * (i % 2)
    a = 2 + 1.3 * common + 0.01 * rng.standard_normal(n)
    cases.append({"id": f"pair{i}", "kind": "coint", "y": a.tolist(), "x": b.tolist(), "autolag": "aic", "maxlag": None})

reference_times = []
reference_stats = {}
for case in cases:
    y, x = np.array(case["y"]), np.array(case["x"])
    coint(y, x)  # warm-up
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        stat = coint(y, x, autolag="aic")[0]
        runs.append(time.perf_counter() - start)
    reference_times.append(sorted(runs)[1])
    reference_stats[case["id"]] = stat

with tempfile.NamedTemporaryFile("w", suffix=".json") as handle:
    json.dump(cases, handle)
    handle.flush()
    ours = json.loads(subprocess.run([mntrading, "stat-test", "--input", handle.name, "--repeat", "51"],
                                     check=True, capture_output=True, text=True).stdout)
our_times = [r["seconds_median"] for r in ours]
worst = max(abs(r["statistic"] - reference_stats[r["id"]]) / abs(reference_stats[r["id"]]) for r in ours)
ref_median = float(np.median(reference_times))
our_median = float(np.median(our_times))
print(f"Engle-Granger, AIC lag choice, {n}-bar series, {pairs} pairs (max relative difference of statistics {worst:.1e})")
print(f"  statsmodels coint   median {ref_median * 1e3:9.3f} ms per pair")
print(f"  mntrading           median {our_median * 1e3:9.3f} ms per pair")
print(f"  ratio               {ref_median / our_median:9.1f}x faster (target >= 100x)")
