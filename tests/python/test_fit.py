"""`tensorseam fit` against scikit-learn on the penguins data: StandardScaler's mean and scale
(relative 1e-12), MinMaxScaler's min and max, OneHotEncoder's categories; the same from CSV and
JSONL; inputs that cannot be fitted named in the error; reproducible output."""

from __future__ import annotations

import json
import math
import os
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

SCHEMA = """\
tensorseam: 1
name: penguins_fit
version: 1
doc: Fitted from the Palmer penguins.
inputs:
  bill_length_mm: {dtype: f64, scale: {standardize: fit}}
  bill_depth_mm: {dtype: f64, scale: {standardize: fit}}
  flipper_length_mm: {dtype: f64, scale: {minmax: fit}}
  body_mass_g: {dtype: f64, scale: [log1p, {standardize: fit}]}
  island: {dtype: str, encode: {one_hot: {categories: fit}}}
  sex: {dtype: str, missing: {fill: unknown}, encode: {one_hot: {categories: {fit: {order: frequency}}, unknown: ignore}}}
  year: {dtype: i64, encode: {index: {categories: fit, unknown: {oov: 2}}}}
  species: {dtype: str, role: label, encode: {index: {categories: fit}}}
"""


def run(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False, env=env)


def fit(tmp: pathlib.Path, data: pathlib.Path, schema: str = SCHEMA) -> dict[str, Any]:
    path = tmp / "schema.yaml"
    path.write_text(schema, encoding="utf-8")
    out = tmp / "fitted.yaml"
    done = run(parity.CLI, "fit", path, "--data", data, "-o", out)
    assert done.returncode == 0, done.stderr
    ir = json.loads(parity.run(parity.CLI, "gen", "ir", out))
    return {i["name"]: i for i in ir["inputs"]}


def frame() -> pd.DataFrame:
    # pandas reads the CSV's "NA" as missing; written back, missing cells are empty, as tensorseam reads CSV.
    return pd.read_csv(parity.ROOT / "examples" / "penguins.csv")


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


def test_fit_matches_scikit_learn(tmp_path: pathlib.Path) -> None:
    df = frame()
    data = tmp_path / "penguins.csv"
    df.to_csv(data, index=False)
    inputs = fit(tmp_path, data)
    for name in ("bill_length_mm", "bill_depth_mm"):
        ss = StandardScaler().fit(df[[name]])  # NaN are disregarded in fit
        p = inputs[name]["scale"][0]["standardize"]
        assert close(p["mean"], ss.mean_[0]) and close(p["std"], ss.scale_[0]), (name, p, ss.mean_, ss.scale_)
    ss = StandardScaler().fit(np.log1p(df[["body_mass_g"]]))
    p = inputs["body_mass_g"]["scale"][1]["standardize"]
    assert close(p["mean"], ss.mean_[0]) and close(p["std"], ss.scale_[0])
    mm = MinMaxScaler().fit(df[["flipper_length_mm"]])
    p = inputs["flipper_length_mm"]["scale"][0]["minmax"]
    assert (p["min"], p["max"]) == (mm.data_min_[0], mm.data_max_[0])
    oh = OneHotEncoder().fit(df[["island"]])
    assert inputs["island"]["encode"]["one_hot"]["categories"] == list(oh.categories_[0])
    oe = OrdinalEncoder().fit(df[["species"]])
    assert inputs["species"]["encode"]["index"]["categories"] == list(oe.categories_[0])
    assert inputs["year"]["encode"]["index"]["categories"] == [2007, 2008, 2009]
    # order: frequency — most frequent first (missing values are not a category).
    counts = df["sex"].value_counts()
    assert inputs["sex"]["encode"]["one_hot"]["categories"] == list(counts.index)


def test_csv_and_jsonl_give_the_same_schema(tmp_path: pathlib.Path) -> None:
    df = frame()
    csv, jsonl = tmp_path / "p.csv", tmp_path / "p.jsonl"
    df.to_csv(csv, index=False)
    with jsonl.open("w") as f:
        for r in df.to_dict("records"):
            f.write(json.dumps({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}) + "\n")
    a = fit(tmp_path, csv)
    (tmp_path / "fitted.yaml").unlink()
    b = fit(tmp_path, jsonl)
    assert a == b


def test_fitted_schema_names_its_data_and_is_reproducible(tmp_path: pathlib.Path) -> None:
    data = tmp_path / "penguins.csv"
    frame().to_csv(data, index=False)
    path = tmp_path / "schema.yaml"
    path.write_text(SCHEMA, encoding="utf-8")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000")
    first = run(parity.CLI, "fit", path, "--data", data, env=env)
    second = run(parity.CLI, "fit", path, "--data", data, env=env)
    assert first.returncode == 0 and first.stdout == second.stdout
    lines = first.stdout.splitlines()
    assert lines[0] == "# Fitted by `tensorseam fit` from penguins.csv on 2026-11-18T11:06:40Z: 344 rows. Version 1 kept from the source schema."
    assert lines[1].startswith("# Skipped values: bill_length_mm 2 missing;"), lines[1]
    # The DSL form of the same schema is written in the DSL.
    seam = tmp_path / "schema.seam"
    seam.write_text(parity.run(parity.CLI, "fmt", "--to", "seam", path), encoding="utf-8")
    done = run(parity.CLI, "fit", seam, "--data", data, env=env)
    assert done.returncode == 0 and "schema penguins_fit v1 {" in done.stdout


def test_inputs_that_cannot_be_fitted_are_named(tmp_path: pathlib.Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a,b,c\n1,,x\n1,,y\n1,,x\n", encoding="utf-8")
    schema = """\
tensorseam: 1
name: bad
version: 1
inputs:
  a: {dtype: f64, scale: {standardize: fit}}
  b: {dtype: f64, scale: {minmax: fit}}
  c: {dtype: str, encode: {index: {categories: {fit: {min_frequency: 5}}}}}
"""
    path = tmp_path / "bad.yaml"
    path.write_text(schema, encoding="utf-8")
    done = run(parity.CLI, "fit", path, "--data", data)
    assert done.returncode == 1
    assert "input `a` is constant" in done.stderr and "std is 0" in done.stderr, done.stderr
    assert "input `b` has no values to fit (3 missing and 0 invalid values were skipped)" in done.stderr, done.stderr
    assert "input `c` has no categories to fit: none is frequent enough" in done.stderr, done.stderr


def test_parquet_arrow_and_parts_fit_alike(tmp_path: pathlib.Path) -> None:
    """The same data as Parquet, Arrow IPC, a directory of parts, or parts fitted apart
    (`--stats-out`) and merged (`--stats`) fits the schema the CSV fits: categories and min/max
    exactly, mean and std to 1e-12."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyarrow import feather

    df = frame()
    csv = tmp_path / "p.csv"
    df.to_csv(csv, index=False)
    want = fit(tmp_path, csv)
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, tmp_path / "p.parquet", row_group_size=50)
    feather.write_feather(table, tmp_path / "p.arrow")
    parts = tmp_path / "parts"
    parts.mkdir()
    for i, at in enumerate(range(0, len(df), 100)):
        pq.write_table(table.slice(at, 100), parts / f"part-{i:05}.parquet")
    path = tmp_path / "schema.yaml"

    def same(got: dict[str, Any]) -> None:
        for name, inp in want.items():
            a, b = json.dumps(inp["encode"], sort_keys=True), json.dumps(got[name]["encode"], sort_keys=True)
            assert a == b, name
            for x, y in zip(inp["scale"] or [], got[name]["scale"] or []):
                if isinstance(x, dict) and "standardize" in x:
                    p, q = x["standardize"], y["standardize"]
                    assert close(p["mean"], q["mean"]) and close(p["std"], q["std"]), (name, p, q)
                else:
                    assert x == y, name

    for data in (tmp_path / "p.parquet", tmp_path / "p.arrow", parts):
        (tmp_path / "fitted.yaml").unlink()
        same(fit(tmp_path, data))
    # Each part fitted apart, the statistics merged.
    stats = []
    for f in sorted(parts.iterdir()):
        out = tmp_path / f"{f.stem}.json"
        done = run(parity.CLI, "fit", path, "--data", f, "--stats-out", out)
        assert done.returncode == 0, done.stderr
        stats.append(out)
    doc = json.loads(stats[0].read_text())
    assert doc["tensorseam_stats"] == 1 and doc["rows"] == 100 and "moments" in doc["inputs"]["bill_length_mm"]
    merged = tmp_path / "merged.yaml"
    done = run(parity.CLI, "fit", path, "--stats", *stats, "-o", merged)
    assert done.returncode == 0, done.stderr
    ir = json.loads(parity.run(parity.CLI, "gen", "ir", merged))
    same({i["name"]: i for i in ir["inputs"]})
    assert "344 rows" in merged.read_text().splitlines()[0]
    # Statistics of another schema are refused, by name.
    other = tmp_path / "other.yaml"
    other.write_text(SCHEMA.replace("penguins_fit", "other_fit"), encoding="utf-8")
    done = run(parity.CLI, "fit", other, "--stats", stats[0])
    assert done.returncode == 1 and "do not belong to `other_fit`" in done.stderr, done.stderr
