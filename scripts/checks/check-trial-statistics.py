"""Our Deflated Sharpe Ratio, trial clusters and PBO against an independent numpy/scipy implementation
of the papers' formulas (Bailey & López de Prado 2014; Bailey, Borwein, López de Prado & Zhu 2015).

usage: check-trial-statistics.py MNTRADING
"""
import itertools
import json
import math
import subprocess
import sys
import tempfile

import numpy as np
from scipy import stats

GAMMA = 0.5772156649015329


def dsr(returns, independent):
    r = np.asarray(returns)
    t = len(r)
    sd = r.std(ddof=1)
    if t <= 2 or sd == 0:
        return None
    sr = r.mean() / sd
    skew = stats.skew(r, bias=True)
    kurt = stats.kurtosis(r, fisher=False, bias=True)
    sr0 = 0.0
    if independent > 1:
        sr0 = math.sqrt(1 / (t - 1)) * ((1 - GAMMA) * stats.norm.ppf(1 - 1 / independent)
                                        + GAMMA * stats.norm.ppf(1 - 1 / (independent * math.e)))
    denominator = 1 - skew * sr + (kurt - 1) / 4 * sr * sr
    return float(stats.norm.cdf((sr - sr0) * math.sqrt(t - 1) / math.sqrt(denominator)))


def pbo(trials, blocks=16):
    m = np.asarray(trials).T  # bars × trials
    t, n = m.shape
    s = min(blocks - blocks % 2, (t // 4) - (t // 4) % 2)
    size = t // s
    parts = [m[i * size:(t if i == s - 1 else (i + 1) * size)] for i in range(s)]

    def sharpe(rows):
        sd = rows.std(axis=0, ddof=1)
        return np.where(sd > 0, rows.mean(axis=0) / np.where(sd > 0, sd, 1), 0.0)

    overfit = 0
    splits = 0
    for chosen in itertools.combinations(range(s), s // 2):
        rest = [i for i in range(s) if i not in chosen]
        inside = sharpe(np.vstack([parts[i] for i in chosen]))
        outside = sharpe(np.vstack([parts[i] for i in rest]))
        best = int(np.argmax(inside))
        rank = stats.rankdata(outside)[best]
        omega = rank / (n + 1)
        overfit += math.log(omega / (1 - omega)) <= 0
        splits += 1
    return overfit / splits


def main():
    binary = sys.argv[1]
    rng = np.random.default_rng(7)
    cases = []
    for index in range(12):
        n = int(rng.integers(2, 9))
        t = int(rng.integers(200, 800))
        drift = rng.normal(0, 0.05, n)
        trials = [(rng.standard_t(5, t) * 0.01 + d * 0.01).tolist() for d in drift]
        # Strategy-like series: flat bars (exact zeros) between trades.
        if index % 3 == 0:
            trials = [[v if rng.random() < 0.4 else 0.0 for v in trial] for trial in trials]
        cases.append({"trials": trials, "returns": trials[int(np.argmax(drift))], "independent_trials": int(rng.integers(1, 40))})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(cases, handle)
        path = handle.name
    ours = json.loads(subprocess.run([binary, "trial-stats", "--input", path], check=True, capture_output=True, text=True).stdout)
    failures = 0
    for number, (case, result) in enumerate(zip(cases, ours)):
        expected_dsr = dsr(case["returns"], case["independent_trials"])
        expected_pbo = pbo(case["trials"])
        ok_dsr = (expected_dsr is None and result["dsr"] is None) or abs(expected_dsr - result["dsr"]) < 1e-9
        ok_pbo = abs(expected_pbo - result["pbo"]) < 1e-12
        if not (ok_dsr and ok_pbo):
            failures += 1
            print(f"case {number}: DSR ours {result['dsr']} vs {expected_dsr}, PBO ours {result['pbo']} vs {expected_pbo}")
    if failures:
        sys.exit(f"{failures} of {len(cases)} trial-statistics cases differ")
    print(f"trial statistics: {len(cases)} cases, DSR within 1e-9 and PBO exact against numpy/scipy")


if __name__ == "__main__":
    main()
