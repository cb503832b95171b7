"""The end-to-end example: train in Python through the generated module
(`examples/training/train.py`), serve in Rust through the derive (`predict`); both sides'
probabilities agree to 1e-6 on every record, and weights from another schema are refused."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import numpy as np
import parity

PREDICT = parity.ROOT / "target" / "debug" / "predict"


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)


def test_python_training_and_rust_serving_agree(tmp_path: pathlib.Path) -> None:
    module = tmp_path / "penguins_schema.py"
    assert run(parity.CLI, "gen", "python", parity.ROOT / "schemas" / "penguins.seam", "-o", module).returncode == 0
    out = tmp_path / "e2e"
    trained = run(sys.executable, parity.ROOT / "examples" / "training" / "train.py", "--module", module, "--out", out)
    assert trained.returncode == 0, trained.stderr
    python = np.load(out / "probabilities.npy")
    served = run(PREDICT, out / "weights.npz", out / "records.jsonl")
    assert served.returncode == 0, served.stderr
    rust = np.array([[float(x) for x in line.split()] for line in served.stdout.splitlines()])
    assert python.shape == rust.shape == (344, 3)
    assert np.abs(python - rust).max() <= 1e-6, np.abs(python - rust).max()
    # A model worth serving: it separates the species it was trained on.
    species = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    names = ["Adelie", "Chinstrap", "Gentoo"]
    accuracy = np.mean([names[int(i)] == r["species"] for i, r in zip(rust.argmax(axis=1), species)])
    assert accuracy > 0.95, accuracy


def test_weights_from_another_schema_are_refused(tmp_path: pathlib.Path) -> None:
    weights = tmp_path / "weights.npz"
    meta = json.dumps({"schema": "penguins", "version": 2, "fingerprint": "0" * 64})
    np.savez(weights, w=np.zeros((10, 3)), b=np.zeros(3), __tensorseam__=np.array(meta))
    done = run(PREDICT, weights, parity.ROOT / "examples" / "data" / "penguins.jsonl")
    assert done.returncode == 1
    assert "trained on schema fingerprint 0000" in done.stderr and "retrain or rebuild" in done.stderr
