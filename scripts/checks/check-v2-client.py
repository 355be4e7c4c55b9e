#!/usr/bin/env python3
"""Reference check: Triton's own Open Inference Protocol client (tritonclient[http]) against
mntrading-serve, as teams call KServe, Triton or MLServer today. The V2 answers must equal the
/invocations answers for the same rows, with binary and JSON tensors, the matrix layout and
MLServer's one-tensor-per-column pandas layout; refusals come as V2 errors. tritonclient is a test
oracle only.
Usage: check-v2-client.py PORT MODEL_NAME INPUT_EXAMPLE_JSON"""
import json
import sys
import urllib.request

import numpy as np
import tritonclient.http as http
from tritonclient.utils import InferenceServerException

port, name, example = int(sys.argv[1]), sys.argv[2], sys.argv[3]
url = f"127.0.0.1:{port}"
client = http.InferenceServerClient(url)
problems = []


def expect(condition, message):
    if not condition:
        problems.append(message)


def post(path, body, headers=None):
    request = urllib.request.Request(f"http://{url}{path}", data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


split = json.load(open(example))["dataframe_split"]
columns, data = split["columns"], split["data"]
status, answer = post("/invocations", json.dumps({"dataframe_split": split}).encode())
reference = json.loads(answer)["predictions"]
expect(status == 200, f"/invocations answered {status}")

metadata = client.get_model_metadata(name)
features = next(tensor for tensor in metadata["inputs"] if tensor["name"] == "features")
feature_columns = features["parameters"]["columns"].split(",")
version = metadata["versions"][0]
expect(client.is_server_live() and client.is_server_ready(), "server not live or not ready")
expect(client.is_model_ready(name) and client.is_model_ready(name, version), "model not ready")
expect(not client.is_model_ready(name + "_missing"), "an unknown model is ready")
expect("binary_tensor_data" in client.get_server_metadata().get("extensions", []), "binary_tensor_data not announced")

pairs = np.array([row[columns.index("pair")].encode() for row in data], dtype=object)
matrix = np.array([[float("nan") if row[columns.index(c)] is None else row[columns.index(c)] for c in feature_columns] for row in data], dtype=np.float64)


def compare(result, label):
    proba, signal = result.as_numpy("proba"), result.as_numpy("signal")
    versions = result.as_numpy("model_version")
    expect(proba is not None and len(proba) == len(reference), f"{label}: {None if proba is None else len(proba)} probabilities for {len(reference)} rows")
    if proba is None:
        return
    for row, (p, s, v) in enumerate(zip(proba, signal, versions)):
        # FP32 features are what the model scores; FP64 ones are rounded to them, like /invocations.
        expect(abs(p - reference[row]["proba"]) <= 1e-12, f"{label}: row {row} proba {p} != {reference[row]['proba']}")
        expect(int(s) == reference[row]["signal"] and int(v) == reference[row]["model_version"], f"{label}: row {row} signal/version differ")


for binary in (True, False):
    for datatype, values in (("FP64", matrix), ("FP32", matrix.astype(np.float32))):
        pair_input = http.InferInput("pair", [len(data)], "BYTES")
        pair_input.set_data_from_numpy(pairs, binary_data=binary)
        features_input = http.InferInput("features", list(values.shape), datatype)
        features_input.set_data_from_numpy(values, binary_data=binary)
        for outputs in (None, [http.InferRequestedOutput("proba", binary_data=not binary), http.InferRequestedOutput("signal"),
                               http.InferRequestedOutput("model_version", binary_data=binary)]):
            compare(client.infer(name, [pair_input, features_input], model_version=version, outputs=outputs, request_id="r-1"),
                    f"matrix {datatype} binary={binary} outputs={'all' if outputs is None else 'chosen'}")

# MLServer's pandas codec: one tensor per column, the request marked content_type "pd".
pandas_body = {"parameters": {"content_type": "pd"}, "inputs": [{"name": "pair", "datatype": "BYTES", "shape": [len(data), 1], "data": [p.decode() for p in pairs]}]}
pandas_body["inputs"] += [{"name": c, "datatype": "FP64", "shape": [len(data), 1], "data": [None if np.isnan(v) else float(v) for v in matrix[:, i]]}
                          for i, c in enumerate(feature_columns)]
status, answer = post(f"/v2/models/{name}/infer", json.dumps(pandas_body).encode())
expect(status == 200, f"pandas layout answered {status}: {answer[:200]}")
if status == 200:
    outputs = {o["name"]: o["data"] for o in json.loads(answer)["outputs"]}
    expect(all(abs(p - r["proba"]) <= 1e-12 for p, r in zip(outputs["proba"], reference)), "pandas layout: probabilities differ from /invocations")


def refused(label, call, status):
    try:
        call()
        problems.append(f"{label}: accepted")
    except InferenceServerException as error:
        expect(str(error.status()) == str(status), f"{label}: status {error.status()}, expected {status} ({error.message()})")
        expect(bool(error.message()), f"{label}: no error message")


pair_input = http.InferInput("pair", [len(data)], "BYTES")
pair_input.set_data_from_numpy(pairs)
short = http.InferInput("features", [len(data), len(feature_columns) - 1], "FP32")
short.set_data_from_numpy(matrix[:, 1:].astype(np.float32))
wrong_type = http.InferInput("features", list(matrix.shape), "INT8")
wrong_type.set_data_from_numpy(np.zeros(matrix.shape, dtype=np.int8))
features_input = http.InferInput("features", list(matrix.shape), "FP32")
features_input.set_data_from_numpy(matrix.astype(np.float32))
refused("unknown model", lambda: client.infer(name + "_missing", [pair_input, features_input]), 404)
refused("unknown version", lambda: client.infer(name, [pair_input, features_input], model_version="999"), 404)
refused("features of the wrong width", lambda: client.infer(name, [pair_input, short]), 400)
refused("an unsupported datatype", lambda: client.infer(name, [pair_input, wrong_type]), 400)
refused("no pair input", lambda: client.infer(name, [features_input]), 400)
refused("an unknown output", lambda: client.infer(name, [pair_input, features_input], outputs=[http.InferRequestedOutput("nope")]), 400)
status, answer = post(f"/v2/models/{name}/infer", b'{"inputs": [{"name": "pair", "datatype": "BYTES", "shape": [2], "data": ["A__B"]}]}')
expect(status == 400 and "error" in json.loads(answer), f"shape/data mismatch: {status} {answer[:120]}")

print(f"v2 client: model {name} version {version}, {len(reference)} rows, 8 inference layouts, 7 refusals" + ("" if not problems else f"; problems: {problems}"))
print(f"v2 client check: {0 if problems else 1} passed, {1 if problems else 0} failed")
sys.exit(1 if problems else 0)
