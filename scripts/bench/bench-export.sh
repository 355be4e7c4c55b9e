#!/usr/bin/env bash
# Benchmark: `mntrading export features --format parquet` of 50 pairs × 100,000 bars (5,000,000
# rows, 17 columns), release build, against the 5 s target; then the same table written by pyarrow
# with the same compression (ZSTD, level 1, pyarrow's default level) in the same run, and the two
# sizes side by side (target: ours ≤ 1.5 × pyarrow's). The store's feature rows are written
# straight into SQLite by Python (the features stage would take minutes to compute them; the
# export, the measured part, is our program). Prints the median of RUNS exports.
#   scripts/bench/bench-export.sh            # 3 runs
#   RUNS=5 scripts/bench/bench-export.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh
source scripts/lib/machine.sh
source scripts/lib/venv.sh
print_machine
ensure_debian_packages libxgboost-dev libcurl4-openssl-dev libsqlite3-dev libzip-dev libzstd-dev libssl-dev
ensure_venv pyarrow numpy

RUNS=${RUNS:-3}
swift build -c release --product mntrading >/dev/null 2>&1 || swift build -c release --product mntrading
BIN=.build/release/mntrading
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DATA=(--data-dir "$WORK/data")

# An empty store with every table (the export finds no rows and says so: exit 64 expected).
"$BIN" export features "${DATA[@]}" >/dev/null 2>&1 || true
echo "==> writing 50 pairs × 100,000 5m feature rows into the store"
.venv/bin/python - "$WORK/data/mntrading.sqlite" <<'PY'
import sqlite3, sys
import numpy as np
db = sqlite3.connect(sys.argv[1])
rng = np.random.default_rng(7)
start = 1_640_995_200_000  # 2022-01-01
n = 100_000
times = start + 300_000 * np.arange(n, dtype=np.int64)
# 20 symbols: each pair's closes are two of them, as in a real store; the rest are the features'
# own series (random walks and noise, full double precision).
closes = [100 * np.exp(np.cumsum(rng.normal(0, 0.002, n))) for _ in range(20)]
for p in range(50):
    a, b = p % 20, (p * 7 + 3) % 20
    pair = f"SYM{a:02d}P{p:02d}USDT__SYM{b:02d}USDT"
    beta = 1 + np.cumsum(rng.normal(0, 1e-4, n))
    alpha = np.cumsum(rng.normal(0, 1e-3, n))
    spread = np.log(closes[a]) - beta * np.log(closes[b]) - alpha
    z = rng.normal(0, 1, n)
    columns = [closes[a], closes[b], beta, alpha, spread, z, np.diff(z, prepend=0.0), rng.normal(0, 1, n),
               np.abs(rng.normal(0.01, 0.002, n)), np.abs(rng.normal(50, 10, n)), rng.lognormal(0, 0.3, n),
               rng.lognormal(0, 0.3, n), beta + rng.normal(0, 1e-3, n), rng.normal(0, 1, n)]
    rows = zip([pair] * n, ["5m"] * n, times.tolist(), *(c.tolist() for c in columns))
    db.executemany("INSERT INTO features VALUES (" + ",".join("?" * 17) + ")", rows)
    db.execute("INSERT INTO feature_sets VALUES (?, '5m', ?, ?, '{}', ?, ?, ?)",
               (pair, pair.split("__")[0], pair.split("__")[1], int(times[0]), int(times[-1]), n))
db.commit()
PY

OUT="$WORK/features.parquet"
for _ in $(seq 1 "$RUNS"); do
    start=$(date +%s%N)
    "$BIN" export features "${DATA[@]}" --format parquet --out "$OUT" >/dev/null
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000000 ))" >>"$WORK/times"
done
.venv/bin/python - "$WORK/times" "$OUT" "$WORK/pyarrow.parquet" <<'PY'
import os, statistics, sys, time
import pyarrow.parquet as pq
times = [int(line) for line in open(sys.argv[1])]
ours, theirs = sys.argv[2], sys.argv[3]
table = pq.read_table(ours)
assert table.num_rows == 5_000_000, table.num_rows
start = time.perf_counter()
pq.write_table(table, theirs, compression="zstd", compression_level=1)
pyarrow_seconds = time.perf_counter() - start
assert pq.read_table(theirs).equals(table)
median = statistics.median(times) / 1000
size, reference = os.path.getsize(ours), os.path.getsize(theirs)
groups = pq.ParquetFile(ours).metadata.num_row_groups
print(f"export features --format parquet, 5,000,000 rows × 17 columns: median {median:.2f} s of {len(times)} "
      f"(min {min(times) / 1000:.2f}, max {max(times) / 1000:.2f}); target <= 5 s")
print(f"size: ours {size / 2**20:.1f} MiB in {groups} row groups, pyarrow (zstd level 1) {reference / 2**20:.1f} MiB "
      f"(write {pyarrow_seconds:.2f} s from memory); ratio {size / reference:.3f}, target <= 1.5")
PY
