#!/usr/bin/env python3
"""Reference check: our ADF and Engle-Granger against statsmodels (a test oracle only).

Builds test series (random walks, stationary and near-unit-root AR(1), trend-stationary series,
cointegrated and independent pairs, a perfectly collinear pair, and the synthetic market's own
pairs), runs `mntrading stat-test` on them and statsmodels' `adfuller` / `coint`, and compares:
statistic to 1e-6 relative, p-value to 1e-4 absolute, the same chosen lag, and the critical values.

Critical values: we follow MacKinnon (2010)'s paper where statsmodels' table has typos (see
Sources/PairResearch/MacKinnonTables.swift); for the one entry used here (N=2, constant, 1%) the
expected difference is exactly (-22.527 - -33.527) / nobs^2, and the check asserts that.

Usage: check-statsmodels.py PATH/TO/mntrading
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from statsmodels.tsa.stattools import adfuller, coint

STAT_RTOL = 1e-6
P_ATOL = 1e-4


def make_cases(mntrading):
    rng = np.random.default_rng(20240601)
    cases = []

    def add_adf(name, x, trend, autolag, maxlag=None):
        cases.append({"id": f"adf/{name}/{trend}/{autolag}/{maxlag}", "kind": "adf", "x": list(map(float, x)),
                      "trend": trend, "autolag": autolag, "maxlag": maxlag})

    def add_coint(name, y, x, autolag, maxlag=None):
        cases.append({"id": f"coint/{name}/{autolag}/{maxlag}", "kind": "coint", "y": list(map(float, y)),
                      "x": list(map(float, x)), "autolag": autolag, "maxlag": maxlag})

    def ar1(n, phi, scale=1.0):
        e = rng.standard_normal(n) * scale
        out = np.empty(n)
        out[0] = e[0]
        for t in range(1, n):
            out[t] = phi * out[t - 1] + e[t]
        return out

    series = {
        "rw100": np.cumsum(rng.standard_normal(100)),
        "rw250": np.cumsum(rng.standard_normal(250)),
        "rw1000": 10 + np.cumsum(rng.standard_normal(1000)) * 0.01,
        "ar0.5_300": ar1(300, 0.5),
        "ar0.98_2000": ar1(2000, 0.98),
        "ar2_800": np.convolve(ar1(800, 0.7), [1, -0.3])[:800],
        "trend_500": 0.05 * np.arange(500) + ar1(500, 0.6),
        "fat_1500": np.cumsum(rng.standard_t(4, 1500)),
    }
    for name, x in series.items():
        for trend in ("n", "c", "ct"):
            for autolag in ("aic", "bic", "t-stat"):
                add_adf(name, x, trend, autolag)
            add_adf(name, x, trend, "fixed", maxlag=3)
        add_adf(name, x, "c", "aic", maxlag=2)

    n = 3000
    common = np.cumsum(rng.standard_normal(n)) * 0.01 + 5
    b = common + ar1(n, 0.9, 0.002)
    a = 0.3 + 1.4 * common + ar1(n, 0.95, 0.004)
    independent = np.cumsum(rng.standard_normal(n)) * 0.01 + 3
    for autolag in ("aic", "bic", "t-stat"):
        add_coint("coint3000", a, b, autolag)
        add_coint("independent3000", a, independent, autolag)
    add_coint("coint3000", a, b, "fixed", maxlag=5)
    add_coint("short200", a[:200], b[:200], "aic")
    add_coint("collinear", 2.0 * b + 1.0, b, "aic")

    # The synthetic market's own series: a planted pair, an implied pair and an independent pair.
    with tempfile.TemporaryDirectory() as data:
        subprocess.run([mntrading, "ingest", "--data-dir", data, "--since", "2024-03-01", "--until", "2024-09-01"],
                       check=True, stdout=subprocess.DEVNULL)

        def closes(symbol):
            out = subprocess.run([mntrading, "export", "--data-dir", data, "--symbols", symbol, "--stdout"],
                                 check=True, capture_output=True, text=True).stdout.splitlines()[1:]
            return np.log(np.array([float(line.split(",")[4]) for line in out]))

        syn = {s: closes(s) for s in ("SYNA0USDT", "SYNA1USDT", "SYNA2USDT", "SYNX0USDT")}
    for autolag in ("aic", "t-stat"):
        add_coint("synthetic_A1_A0", syn["SYNA1USDT"], syn["SYNA0USDT"], autolag)
        add_coint("synthetic_A1_A2", syn["SYNA1USDT"], syn["SYNA2USDT"], autolag)
        add_coint("synthetic_A1_X0", syn["SYNA1USDT"], syn["SYNX0USDT"], autolag)
    return cases


def reference(case):
    autolag = None if case["autolag"] == "fixed" else {"aic": "AIC", "bic": "BIC", "t-stat": "t-stat"}[case["autolag"]]
    if case["kind"] == "adf":
        result = adfuller(np.array(case["x"]), maxlag=case["maxlag"], regression=case["trend"], autolag=autolag)
        crit = result[4]
        return {"statistic": result[0], "pvalue": result[1], "usedlag": result[2], "nobs": result[3],
                "crit": [crit["1%"], crit["5%"], crit["10%"]], "crit_n": 1}
    stat, pvalue, crit = coint(np.array(case["y"]), np.array(case["x"]), trend="c", maxlag=case["maxlag"], autolag=autolag)
    usedlag = None
    if np.isfinite(stat):
        # coint does not return the lag; adfuller on the same residuals does (same code path).
        x = np.column_stack([np.array(case["x"]), np.ones(len(case["x"]))])
        beta = np.linalg.lstsq(x, np.array(case["y"]), rcond=None)[0]
        resid = np.array(case["y"]) - x @ beta
        usedlag = adfuller(resid, maxlag=case["maxlag"], regression="n", autolag=autolag)[2]
    return {"statistic": stat, "pvalue": pvalue, "usedlag": usedlag, "nobs": len(case["x"]) - 1,
            "crit": list(crit), "crit_n": 2}


def main():
    # statsmodels warns about its own future API and about the deliberately collinear case.
    warnings.filterwarnings("ignore")
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    mntrading = sys.argv[1]
    cases = make_cases(mntrading)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(cases, handle)
        path = handle.name
    try:
        ours = json.loads(subprocess.run([mntrading, "stat-test", "--input", path], check=True,
                                         capture_output=True, text=True).stdout)
    finally:
        os.unlink(path)
    ours = {r["id"]: r for r in ours}

    passed = failed = 0
    for case in cases:
        ref = reference(case)
        mine = ours[case["id"]]
        problems = []
        if mine.get("error"):
            problems.append(f"error: {mine['error']}")
        else:
            if np.isinf(ref["statistic"]):
                if mine.get("statistic") is not None:
                    problems.append(f"statistic {mine['statistic']} != -inf")
            elif abs(mine["statistic"] - ref["statistic"]) > STAT_RTOL * max(1.0, abs(ref["statistic"])):
                problems.append(f"statistic {mine['statistic']!r} != {ref['statistic']!r}")
            if abs(mine["pvalue"] - ref["pvalue"]) > P_ATOL:
                problems.append(f"p-value {mine['pvalue']!r} != {ref['pvalue']!r}")
            if ref["usedlag"] is not None and mine["usedlag"] != ref["usedlag"]:
                problems.append(f"lag {mine['usedlag']} != {ref['usedlag']}")
            expected_crit = list(ref["crit"])
            if ref["crit_n"] == 2:
                # Paper value for N=2, constant, 1% (statsmodels' beta2 is -33.527, the paper's -22.527).
                expected_crit[0] += 11.0 / ref["nobs"] ** 2
            for level, (a, b) in enumerate(zip(mine["crit"], expected_crit)):
                if abs(a - b) > 1e-9 * max(1.0, abs(b)):
                    problems.append(f"critical value {level} {a!r} != {b!r}")
        if problems:
            failed += 1
            print(f"FAIL {case['id']}: " + "; ".join(problems))
        else:
            passed += 1
    print(f"statsmodels check: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
