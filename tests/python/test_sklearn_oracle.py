"""The scikit-learn oracle: on the Palmer penguins data (`examples/penguins.csv`), a schema using
standardize, minmax, one_hot and index — with the parameters scikit-learn fitted — gives what
StandardScaler, MinMaxScaler, OneHotEncoder and OrdinalEncoder give, after rounding to f32, through
the generated Python module and through the Rust runtime (`tensorseam encode`)."""

from __future__ import annotations

import json
import pathlib
import subprocess
from typing import Any

import numpy as np
import pandas as pd
import parity
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

CSV = parity.ROOT / "examples" / "penguins.csv"
STANDARDIZED = ["bill_length_mm", "bill_depth_mm"]
MINMAXED = ["flipper_length_mm", "body_mass_g"]


def fitted() -> tuple[pd.DataFrame, dict[str, Any], dict[str, np.ndarray]]:
    """The data, a schema with scikit-learn's fitted parameters, and scikit-learn's outputs."""
    df = pd.read_csv(CSV).dropna().reset_index(drop=True)
    ss = StandardScaler().fit(df[STANDARDIZED])
    mm = MinMaxScaler().fit(df[MINMAXED])
    oh = OneHotEncoder(sparse_output=False).fit(df[["island"]])
    oe = OrdinalEncoder().fit(df[["species"]])
    inputs: dict[str, Any] = {}
    for i, name in enumerate(STANDARDIZED):
        inputs[name] = {"dtype": "f64", "scale": {"standardize": {"mean": float(ss.mean_[i]), "std": float(ss.scale_[i])}}}
    for i, name in enumerate(MINMAXED):
        inputs[name] = {"dtype": "f64", "scale": {"minmax": {"min": float(mm.data_min_[i]), "max": float(mm.data_max_[i])}}}
    inputs["island"] = {"dtype": "str", "encode": {"one_hot": {"categories": [str(c) for c in oh.categories_[0]]}}}
    inputs["species"] = {"dtype": "str", "encode": {"index": {"categories": [str(c) for c in oe.categories_[0]]}}}
    schema = {"tensorseam": 1, "name": "penguins_oracle", "version": 1, "inputs": inputs}
    expected = {name: ss.transform(df[STANDARDIZED])[:, i] for i, name in enumerate(STANDARDIZED)}
    expected |= {name: mm.transform(df[MINMAXED])[:, i] for i, name in enumerate(MINMAXED)}
    expected["island"] = oh.transform(df[["island"]])
    expected["species"] = oe.transform(df[["species"]])[:, 0]
    return df, schema, expected


def compare(name: str, got: np.ndarray, want: np.ndarray) -> None:
    if name == "species":
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, want.astype(np.int64))
        return
    assert got.dtype == np.float32, name
    # Equal after rounding to f32. (MinMaxScaler computes x * (1 / (max - min)) - min / (max - min),
    # rounding twice where the schema's (x - min) / (max - min) rounds once; on this data the f32
    # values still agree exactly, and the test holds them to that.)
    np.testing.assert_array_equal(got, want.astype(np.float32), err_msg=name)


def test_python_module_matches_scikit_learn(tmp_path: pathlib.Path) -> None:
    df, schema, expected = fitted()
    path = tmp_path / "oracle.yaml"
    path.write_text(json.dumps(schema), encoding="utf-8")
    mod = parity.module(path, tmp_path)
    out = mod.encode(df, training=True)
    assert len(df) == 333
    for name, want in expected.items():
        compare(name, out[name], want)
    # StandardScaler's arithmetic is the schema's: equal to the bit, before any rounding.
    ss = StandardScaler().fit(df[STANDARDIZED])
    x = df["bill_length_mm"].to_numpy()
    assert np.array_equal(((x - ss.mean_[0]) / ss.scale_[0]).astype(np.float32), out["bill_length_mm"])


def test_rust_runtime_matches_scikit_learn(tmp_path: pathlib.Path) -> None:
    df, schema, expected = fitted()
    path = tmp_path / "oracle.yaml"
    path.write_text(json.dumps(schema), encoding="utf-8")
    data = tmp_path / "penguins.csv"
    df.to_csv(data, index=False)
    out = tmp_path / "oracle.npz"
    done = subprocess.run([str(parity.CLI), "encode", str(path), "--data", str(data), "-o", str(out), "--training"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    z = np.load(out, allow_pickle=False)
    for name, want in expected.items():
        compare(name, z[name], want)
