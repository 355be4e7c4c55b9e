"""Honesty checks: the batch side must deploy nothing where there is nothing, and find what was planted.

Runs the release `mntrading` as a user would (all defaults but the seed, the profile and two XGBoost
threads) and reads what it wrote:
  1. no-edge markets (`--profile independent`, seeds 1..N): at most one in twenty may deploy anything;
  2. independent random walks forced through the stage commands (every pair screened in, on a
     timeline that does not overlap, so only the money guardrails stand in the way): `select` keeps none;
  3. the planted market (several seeds): at least 3 of the 5 planted pairs deployed, never a pair
     that is not cointegrated, and the deployed portfolio's holdout Sharpe after costs is positive.
Prints a Markdown table (the one in docs/methodology.md) and exits non-zero when a check fails.

usage: check-honesty.py MNTRADING [--no-edge-seeds N] [--planted-seeds 1,2,3] [--now ISO] [--table FILE]
"""
import argparse
import calendar
import json
import os
import subprocess
import sys
import tempfile
import time

DAY_MS = 86_400_000


def run(binary, args, cwd):
    started = time.time()
    done = subprocess.run([binary] + args, cwd=cwd, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr, time.time() - started


def load(path):
    with open(path) as handle:
        return json.load(handle)


def canonical(pair):
    a, b = pair.split("__")
    return tuple(sorted((a, b)))


def pipeline(binary, seed, profile, now, work):
    code, out, err, seconds = run(binary, ["pipeline", "--profile", profile, "--seed", str(seed), "--threads", "2", "--now", now,
                                           "--data-dir", "d", "--models-dir", "m"], work)
    if code not in (0, 10):
        sys.exit(f"pipeline --profile {profile} --seed {seed} failed ({code}): {err.strip() or out.strip()}")
    row = {"seed": seed, "profile": profile, "exit": code, "seconds": seconds, "screened": 0, "trials": 0, "pbo": None,
           "deployed": [], "oof": None, "holdout": None, "before_gate": None, "trades": None, "holdout_trades": None, "dsr": None}
    report_path = os.path.join(work, "d", "training", "report.json")
    if os.path.exists(report_path):
        report = load(report_path)
        selection = load(os.path.join(work, "d", "training", "selection.json"))
        row["screened"] = len(report["pairs"])
        row["trials"] = report["trials"]
        row["pbo"] = (report.get("pbo") or {}).get("pbo")
        row["deployed"] = [d["pair"] for d in selection["decisions"] if d["selected"]]
        for key, field in (("oof", "portfolio"), ("holdout", "portfolio_holdout"), ("before_gate", "holdout_before_gate")):
            figures = selection.get(field) or {}
            row[key] = figures.get("sharpe")
            if key == "oof":
                row["trades"] = figures.get("trades")
            if key == "holdout":
                row["holdout_trades"] = figures.get("trades")
        row["dsr"] = selection.get("portfolio_deflated_sharpe")
    truth = load(os.path.join(work, "d", "synthetic", "ground_truth.json"))
    row["planted"] = {canonical(p["pair"]) for p in truth.get("cointegrated_pairs", []) if p.get("planted")}
    row["cointegrated"] = {canonical(p["pair"]) for p in truth.get("cointegrated_pairs", [])}
    return row


def forced_walks(binary, seed, now_ms, work):
    """Every pair of independent walks screened in (p ≤ 1), the screen ending where the 5m bars begin."""
    train_start = now_ms - 365 * DAY_MS
    screen_start = train_start - 180 * DAY_MS
    data = ["--data-dir", "d"]
    steps = [
        ["ingest", "--profile", "independent", "--seed", str(seed), "--timeframe", "1h", "--since", str(screen_start), "--until", str(now_ms)],
        ["screen", "--pvalue-max", "1", "--corr-min=-1", "--top-k", "6", "--since", str(screen_start), "--until", str(train_start)],
    ]
    for step in steps:
        code, out, err, _ = run(binary, step + data, work)
        if code != 0:
            sys.exit(f"forced walks: {' '.join(step)} failed: {err.strip()}")
    screened = load(max((os.path.join(work, "d", "pairs", f) for f in os.listdir(os.path.join(work, "d", "pairs"))), key=os.path.getmtime))
    symbols = sorted({p[leg] for p in screened["pairs"] for leg in ("a", "b")})
    for step in (["ingest", "--profile", "independent", "--seed", str(seed), "--timeframe", "5m", "--symbols", ",".join(symbols),
                  "--since", str(train_start), "--until", str(now_ms)],
                 ["features"], ["dataset"], ["train", "--threads", "2"]):
        code, out, err, _ = run(binary, step + data, work)
        if code != 0:
            sys.exit(f"forced walks: {' '.join(step)} failed: {err.strip()}")
    code, out, err, _ = run(binary, ["select"] + data, work)
    if code != 0:
        sys.exit(f"forced walks: select failed: {err.strip()}")
    selection = load(os.path.join(work, "d", "training", "selection.json"))
    report = load(os.path.join(work, "d", "training", "report.json"))
    return {"pairs": len(screened["pairs"]), "trials": report["trials"], "in_sample": selection.get("in_sample"),
            "selected": [d["pair"] for d in selection["decisions"] if d["selected"]],
            "reasons": sorted({d["reason"].split(" ")[0] + " " + d["reason"].split(" ")[1] for d in selection["decisions"]})}


def fmt(value, pattern="%.2f"):
    return "–" if value is None else pattern % value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--no-edge-seeds", type=int, default=20)
    parser.add_argument("--planted-seeds", default="1,2,3")
    parser.add_argument("--now", default="2026-11-30T00:00:00Z")
    parser.add_argument("--table")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    now_ms = calendar.timegm(time.strptime(args.now, "%Y-%m-%dT%H:%M:%SZ")) * 1000
    failures = []
    rows = []
    for seed in range(1, args.no_edge_seeds + 1):
        with tempfile.TemporaryDirectory() as work:
            row = pipeline(binary, seed, "independent", args.now, work)
        rows.append(row)
        print(f"no edge, seed {seed}: {len(row['deployed'])} deployed of {row['screened']} screened ({row['seconds']:.0f} s)", flush=True)
    deploying = [r for r in rows if r["deployed"]]
    if len(deploying) > args.no_edge_seeds // 20:
        failures.append(f"{len(deploying)} of {args.no_edge_seeds} no-edge markets deployed something (seeds {[r['seed'] for r in deploying]})")

    with tempfile.TemporaryDirectory() as work:
        forced = forced_walks(binary, 101, now_ms, work)
    print(f"forced walks: {forced['pairs']} pairs screened in, {forced['trials']} trials, {len(forced['selected'])} selected; reasons {forced['reasons']}", flush=True)
    if forced["selected"]:
        failures.append(f"independent walks forced through the stages: select kept {forced['selected']}")
    if forced["in_sample"]:
        failures.append(f"the forced-walks timeline was taken for in sample: {forced['in_sample']}")

    planted_rows = []
    for seed in [int(s) for s in args.planted_seeds.split(",") if s]:
        with tempfile.TemporaryDirectory() as work:
            row = pipeline(binary, seed, "default", args.now, work)
        planted_rows.append(row)
        deployed = {canonical(p) for p in row["deployed"]}
        row["planted_deployed"] = len(deployed & row["planted"])
        row["not_cointegrated"] = sorted("__".join(p) for p in deployed - row["cointegrated"])
        print(f"planted, seed {seed}: {row['planted_deployed']} of {len(row['planted'])} planted pairs deployed, "
              f"{len(deployed)} in all, holdout Sharpe {fmt(row['holdout'])} ({row['seconds']:.0f} s)", flush=True)
        if row["planted_deployed"] < 3:
            failures.append(f"planted seed {seed}: {row['planted_deployed']} planted pairs deployed (< 3)")
        if row["not_cointegrated"]:
            failures.append(f"planted seed {seed}: deployed pairs that are not cointegrated: {row['not_cointegrated']}")
        if not (row["holdout"] or 0) > 0:
            failures.append(f"planted seed {seed}: portfolio holdout Sharpe {row['holdout']} is not positive")

    lines = [
        "| market | seed | pairs screened | trials | PBO | pairs deployed | portfolio OOF Sharpe (trades, DSR) | portfolio holdout Sharpe (trades) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows + planted_rows:
        market = "no edge" if row["profile"] == "independent" else "planted"
        deployed = str(len(row["deployed"])) + (f" ({row['planted_deployed']} of 5 planted)" if row["profile"] == "default" else "")
        oof = "–" if not row["deployed"] else f"{fmt(row['oof'])} ({row['trades']}, {fmt(row['dsr'])})"
        holdout = "–" if not row["deployed"] else f"{fmt(row['holdout'])} ({row['holdout_trades']})"
        lines.append(f"| {market} | {row['seed']} | {row['screened']} | {row['trials']} | {fmt(row['pbo'])} | {deployed} | {oof} | {holdout} |")
    lines.append(f"| forced walks | 101 | {forced['pairs']} | {forced['trials']} | | {len(forced['selected'])} | | |")
    table = "\n".join(lines)
    print(table)
    if args.table:
        with open(args.table, "w") as handle:
            handle.write(table + "\n")
    if failures:
        print("honesty checks FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)
    print(f"honesty checks passed: {len(rows) - len(deploying)} of {len(rows)} no-edge markets deployed nothing; "
          f"forced walks kept none; every planted seed deployed ≥ 3 planted pairs and no other")


if __name__ == "__main__":
    main()
