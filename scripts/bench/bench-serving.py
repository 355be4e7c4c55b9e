#!/usr/bin/env python3
"""Driver of scripts/bench/bench-serving.sh: cold start, then wrk (8 connections) at 1 / 100 / 1000 rows
per request with req/s, rows/s, p50/p99, server CPU per request and RSS, for: our /invocations
with bodies written by `json.dumps` (shortest round-trip floats, up to 17 digits) and by pandas
`to_json(orient="split")`, our Open Inference Protocol route with `json.dumps` bodies, our /ping
(the HTTP stack's ceiling), and `mlflow models serve` of the same member with both kinds of
body when mlflow is installed; then the ratios, all from this one run.
Usage: bench-serving.py SCRATCH SERVE_BINARY"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

scratch, serve = sys.argv[1], sys.argv[2]
DURATION = os.environ.get("BENCH_SECONDS", "10")
WRK_THREADS = os.environ.get("WRK_THREADS", "2")
FEATURES = 24


def wait_ready(port, proc, timeout=60.0):
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1).status == 200:
                return time.perf_counter() - start
        except Exception:
            time.sleep(0.01)
    raise RuntimeError("server not ready")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_stats(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    rss = next(int(line.split()[1]) for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS")) / 1024
    return cpu, rss


def wrk(port, case, pid, threads=None):
    """`case`: (path, body file or None for a GET)."""
    path, body_path = case
    lua = os.path.join(scratch, "post.lua")
    with open(lua, "w") as f:
        if body_path:
            f.write('local f = io.open("%s", "rb"); wrk.body = f:read("*all"); f:close()\n' % body_path)
            f.write('wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"\n')
    cpu_before, _ = proc_stats(pid)
    out = subprocess.run(["wrk", f"-t{threads or WRK_THREADS}", "-c8", f"-d{DURATION}s", "--latency", "-s", lua, f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    cpu_after, rss = proc_stats(pid)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    def latency(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency("50"), "p99": latency("99"),
            "cpu_ms": (cpu_after - cpu_before) / max(requests, 1) * 1000, "rss": rss, "errors": int(errors.group(1)) if errors else 0}


def bodies(columns, pairs, with_pair, kind):
    """Request bodies of 1 / 100 / 1000 rows of random features (seeded), written as users write
    them: `json.dumps` of a dataframe_split, pandas' `to_json(orient="split")`, or an Open
    Inference Protocol request (pair and features tensors) by `json.dumps`."""
    import numpy as np
    paths = {}
    for rows in (1, 100, 1000):
        values = np.random.default_rng(rows).normal(size=(rows, FEATURES))
        row_pairs = [pairs[i % len(pairs)] for i in range(rows)]
        if kind == "v2":
            body = json.dumps({"inputs": [{"name": "pair", "datatype": "BYTES", "shape": [rows], "data": row_pairs},
                                          {"name": "features", "datatype": "FP64", "shape": [rows, FEATURES], "data": values.ravel().tolist()}]})
        elif kind == "pandas":
            import pandas as pd
            frame = pd.DataFrame(values, columns=columns)
            if with_pair:
                frame.insert(0, "pair", row_pairs)
            body = '{"dataframe_split": ' + frame.to_json(orient="split") + "}"
        else:
            data = [([row_pairs[i]] if with_pair else []) + values[i].tolist() for i in range(rows)]
            body = json.dumps({"dataframe_split": {"columns": (["pair"] if with_pair else []) + columns, "data": data}})
        path = os.path.join(scratch, f"body_{kind}_{'router' if with_pair else 'member'}_{rows}.json")
        with open(path, "w") as f:
            f.write(body)
        paths[rows] = path
    return paths


def measure(name, command, port, cases, env=None, threads=None):
    """`cases`: {label: (path, body file or None)}, measured in order on one server process."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        cold = wait_ready(port, proc, timeout=120)
        # mlflow models serve runs uvicorn as a child: measure the process that serves.
        pid = proc.pid
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        if children:
            pid = int(children[-1])
        results = {label: wrk(port, case, pid, threads) for label, case in cases.items()}
        return cold, results
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


manifest = json.load(open(os.path.join(scratch, "models/bench_router/1/router.json")))
columns, pairs = manifest["feature_columns"], [m["pair"] for m in manifest["members"]]
ROWS = (1, 100, 1000)
KINDS = ("json.dumps", "pandas")
try:
    import pandas  # noqa: F401
except ImportError:
    KINDS = ("json.dumps",)
cases = {}
for kind in KINDS:
    for rows, path in bodies(columns, pairs, True, kind).items():
        cases[("/invocations", kind, rows)] = ("/invocations", path)
for rows, path in bodies(columns, pairs, True, "v2").items():
    cases[("/v2 infer", "json.dumps", rows)] = ("/v2/models/bench_router/infer", path)
cases[("/ping", "", 0)] = ("/ping", None)
port = free_port()
ours = measure("mntrading-serve", [serve, "-m", "models:/bench_router/1", "--models-dir", os.path.join(scratch, "models"),
                                   "-p", str(port), "-w", "2"], port, cases)
# Latency with a core each. Above, wrk's threads and the server's two event loops (busy at
# saturation) are more runnable threads than the machine has cores, and a request's p99 includes
# the scheduler's time slices (1-3 ms, varying from run to run). Here the server runs one event
# loop and wrk one thread: the p99 is the server's.
port = free_port()
latency_cases = {label: cases[label] for label in [("/invocations", "json.dumps", 1), ("/ping", "", 0)]}
one_loop = measure("mntrading-serve", [serve, "-m", "models:/bench_router/1", "--models-dir", os.path.join(scratch, "models"),
                                       "-p", str(port), "-w", "2", "--event-loops", "1"], port, latency_cases, threads=1)

reference = None
if shutil.which("mlflow", path=os.path.dirname(sys.executable)):
    try:
        import mlflow.onnx
        import numpy as np
        import onnx
        import pandas as pd
        from mlflow.models import infer_signature
        from onnx import helper, TensorProto
        model_dir = os.path.join(scratch, "mlflow_model")
        member_columns = [f"f{i}" for i in range(FEATURES)]
        example = pd.DataFrame(np.zeros((1, FEATURES), dtype=np.float32), columns=member_columns)
        # MLflow's onnx flavour turns every output into a DataFrame column, which a [N, 2] tensor
        # cannot be: serve the class-1 column as a 1-D output, the same number our server returns.
        member = onnx.load(os.path.join(scratch, "bench.onnx"))
        member.graph.initializer.append(helper.make_tensor("one", TensorProto.INT64, [], [1]))
        member.graph.node.append(helper.make_node("Gather", ["probabilities", "one"], ["proba"], axis=1))
        del member.graph.output[:]
        member.graph.output.append(helper.make_tensor_value_info("proba", TensorProto.FLOAT, ["N"]))
        mlflow.onnx.save_model(member, model_dir, signature=infer_signature(example))
        mport = free_port()
        env = dict(os.environ, PATH=os.path.dirname(sys.executable) + ":" + os.environ["PATH"])
        mlflow_cases = {("/invocations", kind, rows): ("/invocations", path)
                        for kind in KINDS for rows, path in bodies(member_columns, pairs, False, kind).items()}
        reference = measure("mlflow", [os.path.join(os.path.dirname(sys.executable), "mlflow"), "models", "serve", "-m", model_dir,
                                       "--env-manager", "local", "-p", str(mport), "-w", "1"], mport, mlflow_cases, env=env)
    except Exception as error:  # the comparison is optional; say why it is missing
        print(f"mlflow models serve: not measured ({error})")

print(f"serving benchmark: {DURATION} s per case, wrk -t{WRK_THREADS} -c8, loopback, router of {len(pairs)} members (200 trees, depth 6, {FEATURES} features), random normal features")
print(f"cold start to first 200 on /ping: mntrading-serve {ours[0] * 1000:.0f} ms" + (f", mlflow {reference[0] * 1000:.0f} ms" if reference else ""))
print(f"{'server':16} {'route':12} {'body':10} {'rows/req':>8} {'req/s':>10} {'rows/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10} {'RSS MiB':>8} {'errors':>6}")
for label, (cold, results) in [("mntrading-serve", ours)] + ([("mlflow", reference)] if reference else []):
    for (route, kind, rows), r in results.items():
        print(f"{label:16} {route:12} {kind:10} {rows:8d} {r['rps']:10.0f} {r['rps'] * rows:12.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['cpu_ms']:10.3f} {r['rss']:8.1f} {r['errors']:6d}")
mine = ours[1]
ping = mine[("/ping", "", 0)]["rps"]
print(f"1 row on /invocations: {mine[('/invocations', 'json.dumps', 1)]['rps'] / ping * 100:.0f} % of /ping's req/s; on /v2: {mine[('/v2 infer', 'json.dumps', 1)]['rps'] / ping * 100:.0f} %")
if reference:
    theirs = reference[1]
    for kind in KINDS:
        for rows in ROWS:
            base = theirs[("/invocations", kind, rows)]["rps"]
            print(f"ratio, {kind} bodies, {rows} rows/request: /invocations {mine[('/invocations', kind, rows)]['rps'] / base:.1f}x MLflow"
                  + (f", /v2 {mine[('/v2 infer', kind, rows)]['rps'] / base:.1f}x" if ("/v2 infer", kind, rows) in mine else ""))
for (route, kind, rows), r in one_loop[1].items():
    print(f"a core each (mntrading-serve --event-loops 1, wrk -t1): {route} {kind} {rows} rows/req: {r['rps']:.0f} req/s, p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms")
print("targets (issue #16): >= 300x MLflow req/s at 1 row with p99 <= 1 ms and >= 70 % of /ping; >= 30x MLflow rows/s at 1000 rows (json.dumps bodies)")
