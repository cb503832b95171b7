"""The training half of the ONNX serving example: scikit-learn on the generated module's tensors,
exported with skl2onnx, stamped with the schema's fingerprint.

    tensorseam gen python schemas/penguins.yaml -o target/penguins_schema.py
    python examples/onnx-serving/train.py --module target/penguins_schema.py --out target/onnx

writes `OUT/model.onnx` (inputs named after the schema's tensors, so `tensorseam check-model`
needs no `--map`) and `OUT/records.jsonl` (the penguins as the server receives them).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import pathlib
from types import ModuleType

import pandas as pd
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.linear_model import LogisticRegression

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load(path: pathlib.Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The rows as JSON records: a missing value is absent, as a client would send it."""
    out = []
    for row in frame.to_dict("records"):
        out.append({k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--module", type=pathlib.Path, required=True, help="the generated module of schemas/penguins.yaml")
    ap.add_argument("--data", type=pathlib.Path, default=ROOT / "examples" / "penguins.csv")
    ap.add_argument("--out", type=pathlib.Path, required=True)
    args = ap.parse_args()
    schema = load(args.module)
    rows = records(pd.read_csv(args.data))
    tensors = schema.encode(rows, training=True)
    features, species = tensors["features"], tensors["species"]
    classifier = LogisticRegression(max_iter=2000).fit(features, species)
    width = features.shape[1]
    model = convert_sklearn(classifier, initial_types=[("features", FloatTensorType([None, width]))], options={id(classifier): {"zipmap": False}}, target_opset={"": 17, "ai.onnx.ml": 3})
    schema.stamp_onnx(model)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "model.onnx").write_bytes(model.SerializeToString())
    with (args.out / "records.jsonl").open("w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    accuracy = float((classifier.predict(features) == species).mean())
    print(f"trained on {len(rows)} penguins (accuracy {accuracy:.3f}); wrote {args.out / 'model.onnx'} and {args.out / 'records.jsonl'}")


if __name__ == "__main__":
    main()
