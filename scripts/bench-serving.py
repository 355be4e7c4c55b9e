#!/usr/bin/env python3
"""Driver of scripts/bench-serving.sh: cold start, then wrk at 1 / 100 / 1000 rows per request
(8 connections), with req/s, rows/s, p50/p99, server CPU per request and RSS; the same against
`mlflow models serve` of the same member when mlflow is installed, with the ratios.
Usage: bench-serving.py SCRATCH SERVE_BINARY"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

scratch, serve = sys.argv[1], sys.argv[2]
DURATION = os.environ.get("BENCH_SECONDS", "10")
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


def wrk(port, body_path, pid):
    lua = os.path.join(scratch, "post.lua")
    with open(lua, "w") as f:
        f.write('local f = io.open("%s", "rb"); wrk.body = f:read("*all"); f:close()\n' % body_path)
        f.write('wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"\n')
    cpu_before, _ = proc_stats(pid)
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{DURATION}s", "--latency", "-s", lua, f"http://127.0.0.1:{port}/invocations"],
                         capture_output=True, text=True, check=True).stdout
    cpu_after, rss = proc_stats(pid)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    def latency(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency("50"), "p99": latency("99"),
            "cpu_ms": (cpu_after - cpu_before) / max(requests, 1) * 1000, "rss": rss, "errors": int(errors.group(1)) if errors else 0}


def bodies(columns, pairs, with_pair):
    paths = {}
    for rows in (1, 100, 1000):
        data = []
        for i in range(rows):
            values = [((i * 7 + j * 13) % 97) / 48.5 - 1 for j in range(FEATURES)]
            data.append(([pairs[i % len(pairs)]] if with_pair else []) + values)
        path = os.path.join(scratch, f"body_{'router' if with_pair else 'member'}_{rows}.json")
        json.dump({"dataframe_split": {"columns": (["pair"] if with_pair else []) + columns, "data": data}}, open(path, "w"))
        paths[rows] = path
    return paths


def measure(name, command, port, body_paths, env=None):
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        cold = wait_ready(port, proc, timeout=120)
        # mlflow models serve runs uvicorn as a child: measure the process that serves.
        pid = proc.pid
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        if children:
            pid = int(children[-1])
        results = {rows: wrk(port, path, pid) for rows, path in body_paths.items()}
        return cold, results
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


manifest = json.load(open(os.path.join(scratch, "models/bench_router/1/router.json")))
columns, pairs = manifest["feature_columns"], [m["pair"] for m in manifest["members"]]
port = free_port()
ours = measure("mntrading-serve", [serve, "-m", "models:/bench_router/1", "--models-dir", os.path.join(scratch, "models"),
                                   "-p", str(port), "-w", "2"], port, bodies(columns, pairs, True))

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
        example = pd.DataFrame(np.zeros((1, FEATURES), dtype=np.float32), columns=[f"f{i}" for i in range(FEATURES)])
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
        reference = measure("mlflow", [os.path.join(os.path.dirname(sys.executable), "mlflow"), "models", "serve", "-m", model_dir,
                                       "--env-manager", "local", "-p", str(mport), "-w", "1"], mport,
                            bodies([f"f{i}" for i in range(FEATURES)], pairs, False), env=env)
    except Exception as error:  # the comparison is optional; say why it is missing
        print(f"mlflow models serve: not measured ({error})")

print(f"serving benchmark: {DURATION} s per case, wrk -t2 -c8, loopback, router of {len(pairs)} members (200 trees, depth 6, 24 features)")
print(f"cold start to first 200 on /ping: mntrading-serve {ours[0] * 1000:.0f} ms" + (f", mlflow {reference[0] * 1000:.0f} ms" if reference else ""))
print(f"{'server':16} {'rows/req':>8} {'req/s':>10} {'rows/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10} {'RSS MiB':>8} {'errors':>6}")
for label, (cold, results) in [("mntrading-serve", ours)] + ([("mlflow", reference)] if reference else []):
    for rows, r in results.items():
        print(f"{label:16} {rows:8d} {r['rps']:10.0f} {r['rps'] * rows:12.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['cpu_ms']:10.3f} {r['rss']:8.1f} {r['errors']:6d}")
if reference:
    for rows in (1, 100, 1000):
        print(f"ratio at {rows} rows: {ours[1][rows]['rps'] / reference[1][rows]['rps']:.1f}x req/s")
print("targets: >= 100x MLflow req/s at 1 row, >= 10x its rows/s at 1000 rows, p99 <= 5 ms at 1 row, cold start <= 0.5 s")
