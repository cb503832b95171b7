"""scikit-learn's ColumnTransformer on the workload of BENCHMARKS.md, for the derive benchmark.

Reads the workload CSV the Rust benchmark writes, builds a ColumnTransformer whose scalers and
encoders carry the schema's exact parameters (standardize -> StandardScaler, minmax ->
MinMaxScaler, one_hot -> OneHotEncoder, index -> OrdinalEncoder), and prints the median time of
`transform` plus the cast into the same f32 [n, 64] and i64 [n] tensors, in milliseconds.

Usage: python sklearn_baseline.py WORKLOAD.csv
"""

import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)


def transformer(frame: pd.DataFrame) -> ColumnTransformer:
    xs = [f"x{i}" for i in range(8)]
    std = StandardScaler().fit(frame[xs])
    std.mean_ = np.array([i + 0.5 for i in range(8)])
    std.scale_ = np.array([i + 1.25 for i in range(8)])
    mm = MinMaxScaler().fit(frame[["count"]])
    mm.data_min_, mm.data_max_ = np.array([0.0]), np.array([1000.0])
    mm.data_range_ = mm.data_max_ - mm.data_min_
    mm.scale_ = 1.0 / mm.data_range_
    mm.min_ = -mm.data_min_ * mm.scale_
    parts = [
        ("x", std, xs),
        ("count", mm, ["count"]),
        ("color", OneHotEncoder(categories=[[f"c{i}" for i in range(5)]], sparse_output=False, dtype=np.float32), ["color"]),
        ("region", OneHotEncoder(categories=[[f"r{i}" for i in range(50)]], sparse_output=False, dtype=np.float32), ["region"]),
        ("product", OrdinalEncoder(categories=[[f"p{i}" for i in range(1000)]], dtype=np.int64), ["product"]),
    ]
    ct = ColumnTransformer(parts, sparse_threshold=0.0)
    ct.fit(frame)
    # Re-apply the fixed parameters after fit (fit re-estimated them on clones).
    ct.named_transformers_["x"].mean_, ct.named_transformers_["x"].scale_ = std.mean_, std.scale_
    for attr in ("data_min_", "data_max_", "data_range_", "scale_", "min_"):
        setattr(ct.named_transformers_["count"], attr, getattr(mm, attr))
    return ct


def main() -> None:
    frame = pd.read_csv(sys.argv[1], dtype={"color": str, "region": str, "product": str})
    ct = transformer(frame)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        out = ct.transform(frame)
        features = out[:, :64].astype(np.float32)
        product = out[:, 64].astype(np.int64)
        times.append(time.perf_counter() - start)
    assert features.shape == (len(frame), 64) and product.shape == (len(frame),)
    print(f"{sorted(times)[1] * 1000:.1f}")


if __name__ == "__main__":
    main()
