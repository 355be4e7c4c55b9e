"""Reads every table `mntrading export` writes back with pyarrow, DuckDB and Polars, and compares
them with the store (read with Python's sqlite3, the oracle), value for value: integers, strings and
timestamps exactly, doubles bit for bit, NULLs as NULLs. The CSV exports are compared the same way.
Also checks each column chunk's statistics against the oracle and a pair-and-time filter.

usage: check-parquet.py BIN_DIR   (the debug build: mntrading, mntrading-serve, mntrading-infer)
"""

import csv
import math
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

BIN = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="check-parquet-")
DATA = ["--data-dir", f"{WORK}/data"]
MODELS = ["--models-dir", f"{WORK}/models"]
END_MS = 1_711_929_600_000  # 2024-04-01T00:00:00Z
FIVE_MINUTES = 300_000
failures = []


def run(program, *arguments, expect=0):
    done = subprocess.run([f"{BIN}/{program}", *arguments], capture_output=True, text=True)
    if done.returncode != expect:
        sys.exit(f"error: {program} {' '.join(arguments)} exited {done.returncode}\n{done.stderr}")
    return done


def build_store():
    run("mntrading", "ingest", *DATA, "--since", "2024-01-01", "--until", "2024-04-01")
    run("mntrading", "screen", *DATA, "--top-k", "3")
    run("mntrading", "ingest", *DATA, "--timeframe", "5m", "--since", "2024-03-10", "--until", str(END_MS))
    run("mntrading", "features", *DATA, "--beta-window", "300", "--z-window", "100")
    run("mntrading", "dataset", *DATA)
    run("mntrading", "train", *DATA, "--kinds", "logistic", "--n-splits", "3", "--threads", "2", "--min-rows", "50",
        "--min-train-rows", "50", "--holdout-days", "3", "--proba-threshold", "0.45")
    run("mntrading", "select", *DATA, "--no-guardrails")
    run("mntrading", "router", *DATA, *MODELS, "--name", "check_parquet")
    log = open(f"{WORK}/serve.out", "w")
    server = subprocess.Popen([f"{BIN}/mntrading-serve", "-m", "models:/check_parquet@champion", *MODELS, "-p", "0"],
                              stdout=log, stderr=subprocess.DEVNULL)
    try:
        url = None
        for _ in range(200):
            text = open(f"{WORK}/serve.out").read()
            if "listening on " in text:
                url = text.split("listening on ")[1].split()[0]
                break
            time.sleep(0.1)
        if url is None:
            sys.exit("error: mntrading-serve did not start")
        # A few live cycles: signals, orders and the paper ledger's marks and fills.
        for i in range(1, 13):
            run("mntrading", "ingest", *DATA, "--timeframe", "5m", "--since", str(END_MS - FIVE_MINUTES),
                "--until", str(END_MS + i * FIVE_MINUTES))
            run("mntrading-infer", "--once", "--source", "none", "--server", url, *DATA, *MODELS, "--min-proba", "0")
    finally:
        server.terminate()
        server.wait()


# The oracle: each table as the store holds it, in the export's row order.
def oracle(db, table, pair=None, since=None, until=None):
    where, arguments = [], []
    time_column = "as_of" if table == "orders" else "open_time"
    if pair:
        where.append("pair = ?")
        arguments.append(pair)
    if since is not None:
        where.append(f"{time_column} >= ?")
        arguments.append(since)
    if until is not None:
        where.append(f"{time_column} <= ?")
        arguments.append(until)

    def clause(extra=()):
        parts = list(extra) + where
        return (" WHERE " + " AND ".join(parts)) if parts else ""

    if table == "bars":
        rows = db.execute("SELECT symbol, timeframe, open_time, open, high, low, close, volume, is_filled FROM bars"
                          + clause(["timeframe = '1h'"]) + " ORDER BY symbol, open_time", arguments).fetchall()
        return [r[:8] + (bool(r[8]),) for r in rows]
    if table == "features":
        return db.execute("SELECT pair, timeframe, open_time, close_a, close_b, beta, alpha, spread, z, z_velocity, "
                          "z_acceleration, spread_volatility, half_life, volume_ratio_a, volume_ratio_b, beta_long, "
                          "z_long FROM features" + clause() + " ORDER BY pair, timeframe, open_time", arguments).fetchall()
    if table == "datasets":
        newest = db.execute("SELECT id FROM datasets ORDER BY created_at DESC, id LIMIT 1").fetchone()[0]
        arguments.insert(0, newest)
        return db.execute("SELECT dataset_id, pair, open_time, label, forward_move FROM dataset_rows"
                          + clause(["dataset_id = ?"]) + " ORDER BY pair, open_time", arguments).fetchall()
    if table == "signals":
        return db.execute("SELECT pair, open_time, model_version, model_name, timeframe, leg_a, leg_b, proba, signal, "
                          "threshold, z, beta, close_a, close_b, spread_volatility, scored_at FROM signals" + clause()
                          + " ORDER BY pair, open_time, model_version", arguments).fetchall()
    if table == "orders":
        return db.execute("SELECT as_of, model_version, pair, symbol, side, notional, quantity, price, weight, proba, "
                          "parameters FROM orders" + clause() + " ORDER BY as_of, model_version, pair, symbol",
                          arguments).fetchall()
    if table == "ledger":
        return db.execute("SELECT pair, open_time, model_version, position, decided, equity_before, equity, pnl, cost, "
                          "status, z, proba, signal, ret FROM ledger_marks" + clause() + " ORDER BY pair, open_time",
                          arguments).fetchall()
    if table == "fills":
        return db.execute("SELECT pair, open_time, symbol, model_version, side, quantity, price, notional, cost, "
                          "reason, decided_at FROM ledger_fills" + clause() + " ORDER BY open_time, pair, symbol",
                          arguments).fetchall()
    if table == "predictions":
        newest = db.execute("SELECT id FROM training_runs WHERE status = 'complete' "
                            "ORDER BY created_at DESC, id DESC LIMIT 1").fetchone()[0]
        arguments.insert(0, newest)
        return db.execute("SELECT run_id, pair, open_time, fold, raw, calibrated, label FROM oof_predictions"
                          + clause(["run_id = ?"]) + " ORDER BY pair, open_time", arguments).fetchall()
    raise ValueError(table)


def same(a, b):
    """Exact equality; doubles by their bits (so NaN equals NaN and -0 differs from +0)."""
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, float) and isinstance(b, float)):
            return False
        return struct.pack("<d", a) == struct.pack("<d", b)
    return a == b and type(a) is type(b)


def compare(label, expected, got):
    if len(expected) != len(got):
        failures.append(f"{label}: {len(got)} rows, the store has {len(expected)}")
        return
    for index, (want, have) in enumerate(zip(expected, got)):
        if len(want) != len(have) or not all(same(w, h) for w, h in zip(want, have)):
            failures.append(f"{label}: row {index} is {have}, the store has {want}")
            return


def timestamp_columns(schema):
    return [f.name for f in schema if pa.types.is_timestamp(f.type)]


def read_pyarrow(path):
    table = pq.read_table(path)
    for name in timestamp_columns(table.schema):
        field = table.schema.field(name)
        if field.type != pa.timestamp("ms", tz="UTC"):
            failures.append(f"{path}: {name} is {field.type}, not timestamp[ms, tz=UTC]")
        table = table.set_column(table.schema.get_field_index(name), name, table.column(name).cast(pa.int64()))
    return [tuple(row.values()) for row in table.to_pylist()], table.schema


def read_duckdb(path):
    connection = duckdb.connect()
    described = connection.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    columns = [f"epoch_ms({name})" if "TIMESTAMP" in kind else f'"{name}"' for name, kind, *_ in described]
    return [tuple(r) for r in connection.execute(f"SELECT {', '.join(columns)} FROM read_parquet('{path}')").fetchall()]


def read_polars(path):
    frame = pl.read_parquet(path)
    frame = frame.with_columns([pl.col(n).cast(pl.Int64) for n, t in frame.schema.items() if isinstance(t, pl.Datetime)])
    return [tuple(r) for r in frame.rows()]


def check_statistics(path, expected):
    """Each row group's min/max/null count against the oracle's rows of that group."""
    metadata = pq.ParquetFile(path).metadata
    start = 0
    for group in range(metadata.num_row_groups):
        rows = expected[start:start + metadata.row_group(group).num_rows]
        start += metadata.row_group(group).num_rows
        for column in range(metadata.num_columns):
            chunk = metadata.row_group(group).column(column)
            stats = chunk.statistics
            values = [r[column] for r in rows]
            present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
            label = f"{os.path.basename(path)} group {group} column {chunk.path_in_schema}"
            if stats is None or stats.null_count != sum(v is None for v in values):
                failures.append(f"{label}: null count {stats and stats.null_count}")
                continue
            if not present:
                if stats.has_min_max:
                    failures.append(f"{label}: min/max written for a column without values")
                continue
            low, high = stats.min, stats.max
            if hasattr(low, "timestamp"):
                low, high = int(low.timestamp() * 1000), int(high.timestamp() * 1000)
            if isinstance(present[0], str):
                want = (min(present, key=lambda s: s.encode()), max(present, key=lambda s: s.encode()))
            else:
                want = (min(present), max(present))
            if (low, high) != want:
                failures.append(f"{label}: statistics {low}..{high}, the rows {want[0]}..{want[1]}")


def parse_csv(path, schema):
    kinds = {f.name: f.type for f in schema}
    rows = []
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if header != [f.name for f in schema]:
            failures.append(f"{path}: header {header}")
        for record in reader:
            row = []
            for name, text in zip(header, record):
                kind = kinds[name]
                if text == "":
                    row.append(None)
                elif pa.types.is_floating(kind):
                    row.append(float(text))
                elif pa.types.is_integer(kind) or pa.types.is_timestamp(kind):
                    row.append(int(text))
                elif pa.types.is_boolean(kind):
                    row.append(text == "true")
                else:
                    row.append(text)
            rows.append(tuple(row))
    return rows


def main():
    started = time.time()
    build_store()
    db = sqlite3.connect(f"{WORK}/data/mntrading.sqlite")
    out = f"{WORK}/out"
    tables = ["bars", "features", "datasets", "signals", "orders", "ledger", "fills", "predictions"]
    for table in tables:
        expected = oracle(db, table)
        if not expected:
            failures.append(f"{table}: the check's store has no rows; the check would prove nothing")
            continue
        path = f"{out}/{table}.parquet"
        run("mntrading", "export", table, *DATA, "--format", "parquet", "--out", path)
        rows, schema = read_pyarrow(path)
        compare(f"{table} (pyarrow)", expected, rows)
        compare(f"{table} (DuckDB)", expected, read_duckdb(path))
        compare(f"{table} (Polars)", expected, read_polars(path))
        check_statistics(path, expected)
        if table == "bars":
            # Bars in CSV keep BarCSV's layout, one file per symbol (what `ingest --source csv` reads).
            run("mntrading", "export", *DATA, "--out", f"{out}/bars-csv")
            for symbol in sorted({r[0] for r in expected}):
                with open(f"{out}/bars-csv/{symbol}_1h.csv", newline="") as handle:
                    got = [(int(r["open_time"]), *(float(r[c]) for c in ("open", "high", "low", "close", "volume")))
                           for r in csv.DictReader(handle)]
                compare(f"bars CSV {symbol}", [(r[2], *r[3:8]) for r in expected if r[0] == symbol], got)
        else:
            run("mntrading", "export", table, *DATA, "--format", "csv", "--out", f"{out}/{table}.csv")
            compare(f"{table} (CSV)", expected, parse_csv(f"{out}/{table}.csv", schema))
        print(f"{table}: {len(expected)} rows, {pq.ParquetFile(path).metadata.num_row_groups} row group(s), "
              f"{os.path.getsize(path)} bytes")

    # A pair and a time window.
    pair, first, last = db.execute("SELECT pair, MIN(open_time), MAX(open_time) FROM features GROUP BY pair "
                                   "ORDER BY pair LIMIT 1").fetchone()
    since, until = first + (last - first) // 3, first + 2 * (last - first) // 3
    path = f"{out}/features-filtered.parquet"
    run("mntrading", "export", "features", *DATA, "--format", "parquet", "--pairs", pair, "--since", str(since),
        "--until", str(until), "--out", path)
    expected = oracle(db, "features", pair=pair, since=since, until=until)
    compare("features filtered (pyarrow)", expected, read_pyarrow(path)[0])
    compare("features filtered (DuckDB)", expected, read_duckdb(path))

    # A bad request is one clear message and exit 64.
    bad = run("mntrading", "export", "nonsense", *DATA, expect=64)
    if "unknown table" not in bad.stderr:
        failures.append(f"unknown table: {bad.stderr.strip()}")
    empty = run("mntrading", "export", "features", *DATA, "--since", "2030-01-01", expect=64)
    if "no features rows" not in empty.stderr:
        failures.append(f"empty result: {empty.stderr.strip()}")

    if failures:
        print("\n".join(f"FAIL {f}" for f in failures))
        sys.exit(1)
    print(f"parquet: every table equal to the store in pyarrow, DuckDB, Polars and CSV ({time.time() - started:.0f} s)")


try:
    main()
finally:
    shutil.rmtree(WORK, ignore_errors=True)
