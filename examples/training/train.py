"""The training half of the end-to-end example: a softmax (multinomial logistic) regression on the
Palmer penguins, fitted with plain numpy on the tensors of the module `tensorseam gen python`
generated from `schemas/penguins.seam`. The Rust side (`examples/serving/src/bin/predict.rs`)
encodes the same records through `#[derive(ModelInput)]` and applies these weights.

    tensorseam gen python schemas/penguins.seam -o examples/training/penguins_schema.py
    python examples/training/train.py --module examples/training/penguins_schema.py --out target/e2e

writes, in `--out`: `weights.npz` (`w`, `b`, and the schema's fingerprint under `__tensorseam__`),
`records.jsonl` (the records, for the Rust side) and `probabilities.npy` (this side's predictions).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import pathlib
import sys
from types import ModuleType
from typing import Any

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
NUMBERS = {"bill_length_mm": float, "bill_depth_mm": float, "flipper_length_mm": float, "body_mass_g": float, "year": int}


def load_module(path: pathlib.Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("penguins_schema", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["penguins_schema"] = module
    spec.loader.exec_module(module)
    return module


def read_records(path: pathlib.Path) -> list[dict[str, Any]]:
    """The CSV as raw records: `NA` is missing (None), numbers as numbers."""
    records = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            records.append({k: None if v == "NA" else NUMBERS.get(k, str)(v) for k, v in row.items()})
    return records


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def probabilities(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return softmax(x.astype(np.float64) @ w + b)


def train(x: np.ndarray, y: np.ndarray, classes: int, steps: int = 2000, rate: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent on the mean cross-entropy, with a little L2."""
    x = x.astype(np.float64)
    w = np.zeros((x.shape[1], classes))
    b = np.zeros(classes)
    target = np.eye(classes)[y]
    for _ in range(steps):
        grad = probabilities(x, w, b) - target
        w -= rate * (x.T @ grad / len(x) + 1e-3 * w)
        b -= rate * grad.mean(axis=0)
    return w, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", type=pathlib.Path, required=True, help="the generated module")
    parser.add_argument("--data", type=pathlib.Path, default=ROOT / "examples" / "penguins.csv")
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args()
    schema = load_module(args.module)
    records = read_records(args.data)
    tensors = schema.encode(records, training=True)
    x, y = tensors["features"], tensors["species"]
    w, b = train(x, y, classes=int(y.max()) + 1)
    p = probabilities(x, w, b)
    accuracy = float((p.argmax(axis=1) == y).mean())
    args.out.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"schema": schema.SCHEMA_NAME, "version": schema.SCHEMA_VERSION, "fingerprint": schema.FINGERPRINT})
    np.savez(args.out / "weights.npz", w=w, b=b, __tensorseam__=np.array(meta))
    np.save(args.out / "probabilities.npy", p)
    with (args.out / "records.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    print(f"trained on {len(records)} penguins ({schema.SCHEMA_NAME} v{schema.SCHEMA_VERSION}): training accuracy {accuracy:.3f}; wrote {args.out}")


if __name__ == "__main__":
    main()
