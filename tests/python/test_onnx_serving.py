"""The ONNX serving example end to end (SPEC §13): scikit-learn trained on the generated module's
tensors, exported with skl2onnx and stamped; `tensorseam check-model` accepts it; the Rust server
(axum + tract) loads it, and a real HTTP client on a loopback port gets for every penguin the
probabilities onnxruntime computes in Python (to 1e-5), coded errors (422) for an invalid record,
400 for a body that is not records; a model that does not fit the schema is refused at start-up."""

from __future__ import annotations

import http.client
import json
import pathlib
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import onnx
import onnxruntime
import parity
import pytest

SCHEMA = parity.ROOT / "schemas" / "penguins.yaml"
SERVER = parity.ROOT / "target" / "debug" / "tensorseam-example-onnx-serving"
TRAIN = parity.ROOT / "examples" / "onnx-serving" / "train.py"


class Served:
    def __init__(self, root: pathlib.Path) -> None:
        self.module_path = root / "penguins_schema.py"
        parity.run(parity.CLI, "gen", "python", SCHEMA, "-o", self.module_path)
        self.out = root / "onnx"
        parity.run(sys.executable, TRAIN, "--module", self.module_path, "--out", self.out)
        self.model = self.out / "model.onnx"
        self.records = [json.loads(line) for line in (self.out / "records.jsonl").read_text().splitlines()]
        self.module = parity.module(SCHEMA, root)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    return Served(tmp_path_factory.mktemp("onnx"))


def start(model: pathlib.Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([str(SERVER), str(model), "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("listening on http://"):
        proc.kill()
        raise AssertionError(f"the server did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, line.strip().removeprefix("listening on http://")


@pytest.fixture(scope="module")
def server(served: Served) -> Iterator[str]:
    proc, addr = start(served.model)
    try:
        yield addr
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def post(addr: str, body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
    host, port = addr.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("POST", "/predict", body=body, headers={"content-type": "application/json"})
    r = conn.getresponse()
    data = json.loads(r.read())
    headers = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, data, headers


def test_the_model_fits_the_schema(served: Served) -> None:
    done = subprocess.run([str(parity.CLI), "check-model", str(SCHEMA), str(served.model)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    props = {p.key: p.value for p in onnx.load(served.model).metadata_props}
    assert props["tensorseam.fingerprint"] == served.module.FINGERPRINT


def test_probabilities_equal_onnxruntime_on_every_penguin(served: Served, server: str) -> None:
    session = onnxruntime.InferenceSession(str(served.model), providers=["CPUExecutionProvider"])
    features = served.module.encode(served.records)["features"]
    want_labels, want = session.run(["label", "probabilities"], {"features": features})
    status, got, headers = post(server, json.dumps(served.records).encode())
    assert status == 200, got
    probabilities = np.array(got["probabilities"], dtype=np.float64)
    assert probabilities.shape == want.shape == (len(served.records), 3)
    np.testing.assert_allclose(probabilities, want, rtol=0, atol=1e-5)
    assert got["label"] == want_labels.tolist()
    assert "encode;dur=" in headers["server-timing"]
    # One record at a time, as a client would send them.
    for i in range(0, len(served.records), 37):
        status, one, _ = post(server, json.dumps(served.records[i]).encode())
        assert status == 200
        np.testing.assert_allclose(one["probabilities"][0], want[i], rtol=0, atol=1e-5)


def test_invalid_records_are_422_with_codes(served: Served, server: str) -> None:
    good = served.records[0]
    bad = [good, {**good, "island": "Atlantis"}, {**good, "bill_length_mm": "long"}, {k: v for k, v in good.items() if k != "island"}]
    status, body, _ = post(server, json.dumps(bad).encode())
    assert status == 422, body
    found = [(e["row"], e["field"], e["code"]) for e in body["errors"]]
    assert found == [(1, "island", "unknown_category"), (2, "bill_length_mm", "wrong_type"), (3, "island", "missing")], found
    assert all(e["message"] for e in body["errors"])


@pytest.mark.parametrize("body", [b"{not json", b"", b"42", b"[1, 2]"])
def test_bodies_that_are_not_records_are_400(body: bytes, server: str) -> None:
    status, data, _ = post(server, body)
    assert status == 400 and data["error"], data


def test_a_model_that_does_not_fit_is_refused(served: Served, tmp_path: pathlib.Path) -> None:
    m = onnx.load(served.model)
    m.graph.input[0].type.tensor_type.shape.dim[1].dim_value = 11
    wrong = tmp_path / "wide.onnx"
    onnx.save(m, wrong)
    done = subprocess.run([str(SERVER), str(wrong), "127.0.0.1:0"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert "refusing to serve" in done.stderr and "axis 1 is 11 in the model and 10 in the schema" in done.stderr
    other = onnx.load(served.model)
    for p in other.metadata_props:
        if p.key == "tensorseam.fingerprint":
            p.value = "0" * 64
    stale = tmp_path / "stale.onnx"
    onnx.save(other, stale)
    done = subprocess.run([str(SERVER), str(stale), "127.0.0.1:0"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "trained on schema" in done.stderr
