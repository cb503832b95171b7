"""The generated Python module on the synthetic workload of BENCHMARKS.md, beside scikit-learn and
a hand-written numpy encoder, all in one run:

- columnar: `encode` of 1,000,000 rows given as a pandas DataFrame, beside
  `ColumnTransformer.transform` on the same frame (with the schema's exact parameters, output cast to
  the same f32/i64 tensors) and beside the fastest plain numpy a user would write for this schema
  (no validation);
- records: `encode` of 100,000 dict records, beside `ColumnTransformer.transform(pd.DataFrame(records))`.

Each figure is the median of 5 runs. Run from the repository root, after `cargo build -p tensorseam-cli`:

    .venv/bin/python benches/python_encode.py [--rows N] [--records N]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "runtime" / "benches"))
from sklearn_baseline import transformer

MEANS = np.array([i + 0.5 for i in range(8)])
STDS = np.array([i + 1.25 for i in range(8)])
COLORS = [f"c{i}" for i in range(5)]
REGIONS = [f"r{i}" for i in range(50)]
PRODUCTS = [f"p{i}" for i in range(1000)]


def workload(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = {f"x{i}": rng.integers(0, 2_000_000, n) / 1000.0 - 1000.0 for i in range(8)}
    frame["count"] = rng.integers(0, 1001, n)
    for name, cats in (("color", COLORS), ("region", REGIONS), ("product", PRODUCTS)):
        frame[name] = np.array(cats, dtype=object)[rng.integers(0, len(cats), n)]
    return pd.DataFrame(frame)


def generated_module() -> ModuleType:
    cli = os.environ.get("TENSORSEAM_BIN", str(ROOT / "target" / "debug" / "tensorseam"))
    path = pathlib.Path(tempfile.mkdtemp()) / "workload_schema.py"
    subprocess.run([cli, "gen", "python", str(ROOT / "runtime" / "benches" / "workload.seam"), "-o", str(path)], check=True)
    spec = importlib.util.spec_from_file_location("workload_schema", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hand_written(frame: Any) -> dict[str, np.ndarray]:
    """What a careful user writes for this schema in numpy, without any validation. `frame` is a
    DataFrame or a mapping of numpy columns."""
    n = len(frame["count"])
    features = np.zeros((n, 64), dtype=np.float32)
    xs = np.column_stack([np.asarray(frame[f"x{i}"]) for i in range(8)])
    features[:, :8] = (xs - MEANS) / STDS
    features[:, 8] = np.asarray(frame["count"]) / 1000.0
    rows = np.arange(n)
    offset = 9
    for name, cats in (("color", COLORS), ("region", REGIONS)):
        lookup = {c: i for i, c in enumerate(cats)}
        codes = np.fromiter(map(lookup.__getitem__, np.asarray(frame[name])), dtype=np.int64, count=n)
        features[rows, offset + codes] = 1.0
        offset += len(cats)
    lookup = {c: i for i, c in enumerate(PRODUCTS)}
    product = np.fromiter(map(lookup.__getitem__, np.asarray(frame["product"])), dtype=np.int64, count=n)
    return {"features": features, "product": product}


def sklearn_encode(ct: Any, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    out = ct.transform(frame)
    return {"features": out[:, :64].astype(np.float32), "product": out[:, 64].astype(np.int64)}


def median_ms(f: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    mod = generated_module()
    frame = workload(args.rows)
    ct = transformer(frame)
    # The three agree before anything is timed.
    ours, hand, sk = mod.encode(frame), hand_written(frame), sklearn_encode(ct, frame)
    for name in ("features", "product"):
        assert np.array_equal(ours[name], hand[name]), name
        assert np.array_equal(ours[name], sk[name]), name
    # The same columns as plain numpy arrays (strings as object arrays), as a numpy user holds them.
    arrays = {name: frame[name].to_numpy(dtype=object if name in ("color", "region", "product") else None) for name in frame.columns}
    assert np.array_equal(mod.encode(arrays)["features"], hand_written(arrays)["features"])
    t_ours = median_ms(lambda: mod.encode(frame))
    t_hand = median_ms(lambda: hand_written(frame))
    t_sk = median_ms(lambda: sklearn_encode(ct, frame))
    t_ours_np = median_ms(lambda: mod.encode(arrays))
    t_hand_np = median_ms(lambda: hand_written(arrays))
    best = min(t_hand, t_hand_np)
    print(f"columnar, {args.rows:,} rows (median of 5):")
    print(f"  generated module encode(DataFrame)        {t_ours:9.1f} ms")
    print(f"  hand-written numpy on the DataFrame       {t_hand:9.1f} ms   generated is {t_ours / t_hand:.2f}x its time")
    print(f"  scikit-learn ColumnTransformer.transform  {t_sk:9.1f} ms   generated is {t_sk / t_ours:.1f}x faster (goal >= 3)")
    print(f"  generated module encode(numpy columns)    {t_ours_np:9.1f} ms")
    print(f"  hand-written numpy on numpy columns       {t_hand_np:9.1f} ms   generated is {t_ours_np / t_hand_np:.2f}x its time")
    print(f"  best generated / best hand-written: {min(t_ours, t_ours_np) / best:.2f} (goal <= 1.3)")

    records = workload(args.records, seed=11).to_dict("records")
    small = pd.DataFrame(records)
    ct_small = transformer(small)
    ours, sk = mod.encode(records), sklearn_encode(ct_small, pd.DataFrame(records))
    for name in ("features", "product"):
        assert np.array_equal(ours[name], sk[name]), name
    t_rec = median_ms(lambda: mod.encode(records))
    t_sk_rec = median_ms(lambda: sklearn_encode(ct_small, pd.DataFrame(records)))
    print(f"records, {args.records:,} dicts (median of 5):")
    print(f"  generated module encode(records)          {t_rec:9.1f} ms")
    print(f"  transform(pd.DataFrame(records))          {t_sk_rec:9.1f} ms   generated is {t_sk_rec / t_rec:.1f}x faster (goal >= 1.5)")


if __name__ == "__main__":
    main()
