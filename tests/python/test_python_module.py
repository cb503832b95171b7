"""The generated module's API beyond `encode` on records: columns of every kind (numpy, pandas,
pyarrow), `validate`, `collate` for a torch DataLoader, strict mode, the error report, and the
module's own metadata."""

from __future__ import annotations

import json
import pathlib
import sys
import types
from typing import Any

import numpy as np
import pandas as pd
import parity
import pyarrow as pa
import pytest

SCHEMA = parity.ROOT / "schemas" / "penguins.seam"
RECORDS = [json.loads(line) for line in (parity.ROOT / "examples" / "data" / "penguins.jsonl").read_text().splitlines()]
for r in RECORDS:
    r["species"] = "Gentoo"


@pytest.fixture(scope="module")
def mod(tmp_path_factory: pytest.TempPathFactory) -> types.ModuleType:
    return parity.module(SCHEMA, tmp_path_factory.mktemp("module"))


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert list(a) == list(b)
    for name, value in a.items():
        assert value.dtype == b[name].dtype and np.array_equal(value, b[name]), name


def test_metadata_matches_the_schema(mod: types.ModuleType) -> None:
    ir = json.loads(parity.run(parity.CLI, "gen", "ir", SCHEMA))
    assert (mod.SCHEMA_NAME, mod.SCHEMA_VERSION, mod.FINGERPRINT) == ("penguins", 3, ir["fingerprint"])
    assert mod.TENSOR_SPECS == {"features": ("float32", (None, 10)), "year": ("int64", (None,)), "species": ("int64", (None,))}
    out = mod.encode(RECORDS, training=True)
    assert list(out) == list(mod.TENSOR_SPECS)
    assert "species" not in mod.encode(RECORDS)


def test_every_column_form_gives_the_same_tensors(mod: types.ModuleType) -> None:
    want = mod.encode(RECORDS, training=True)
    keys = list(RECORDS[0])
    lists = {k: [r.get(k) for r in RECORDS] for k in keys}
    same(mod.encode(lists, training=True), want)
    frame = pd.DataFrame(RECORDS)
    same(mod.encode(frame, training=True), want)
    same(mod.encode({k: frame[k] for k in keys}, training=True), want)
    table = pa.Table.from_pylist(RECORDS)
    same(mod.encode_arrow(table, training=True), want)
    same(mod.encode_arrow(table.to_batches()[0], training=True), want)


def test_pandas_missing_values_are_missing(mod: types.ModuleType) -> None:
    # pandas turns None into NaN in numeric columns and keeps None (or NaN) in text ones.
    frame = pd.DataFrame(RECORDS)
    assert frame["bill_length_mm"].isna().sum() == 1 and frame["sex"].isna().sum() == 1
    same(mod.encode(frame), mod.encode(RECORDS))
    with_gap = pd.DataFrame({"year": pd.array([2007, None], dtype="Int64")})
    with pytest.raises(mod.SchemaValidationError) as e:
        mod.validate({"island": ["Dream", "Dream"], "year": with_gap["year"]}, allow_missing=["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"])
    assert [(x.row, x.field, x.code) for x in e.value.errors] == [(1, "year", "missing")]


def test_validate_reports_every_error_with_row_path_and_code(mod: types.ModuleType) -> None:
    bad: list[Any] = [dict(RECORDS[0], island="Mars", year=1999.5), "not a record", dict(RECORDS[1], bill_depth_mm=float("inf"))]
    with pytest.raises(mod.SchemaValidationError) as e:
        mod.validate(bad)
    assert [(x.row, x.field, x.code) for x in e.value.errors] == [
        (0, "island", "unknown_category"),
        (0, "year", "wrong_type"),
        (1, "", "wrong_type"),
        (2, "bill_depth_mm", "non_finite"),
    ]
    assert isinstance(e.value, ValueError) and "4 invalid values" in str(e.value)
    assert mod.validate(RECORDS) is None


def test_error_limit_counts_the_rest(mod: types.ModuleType) -> None:
    with pytest.raises(mod.SchemaValidationError) as e:
        mod.encode([{"island": "Mars", "year": 2007}] * 150, error_limit=100)
    assert len(e.value.errors) == 100 and e.value.omitted == 50


def test_strict_mode_reports_unknown_fields(mod: types.ModuleType) -> None:
    record = dict(RECORDS[0], zeta=1, alpha=2)
    mod.encode([record])
    with pytest.raises(mod.SchemaValidationError) as e:
        mod.encode([record], strict=True)
    assert [(x.field, x.code) for x in e.value.errors] == [("alpha", "unknown_field"), ("zeta", "unknown_field")]


def test_collate_hands_torch_tensors_to_a_data_loader(mod: types.ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    # torch is imported lazily, only by `collate`; a stand-in module records what it is given.
    seen: list[np.ndarray] = []
    fake = types.ModuleType("torch")
    fake.from_numpy = lambda a: seen.append(a) or ("tensor", a.dtype.name, a.shape)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torch", fake)
    batch = mod.collate(RECORDS[:4])
    assert batch == {"features": ("tensor", "float32", (4, 10)), "year": ("tensor", "int64", (4,)), "species": ("tensor", "int64", (4,))}
    assert list(mod.collate(RECORDS[:4], training=False)) == ["features", "year"]


def test_module_imports_nothing_but_numpy_and_the_standard_library(tmp_path: pathlib.Path) -> None:
    text = (parity.ROOT / "compiler" / "tests" / "golden" / "python" / "penguins_seam.py").read_text()
    imports = sorted({line.split()[1] for line in text.splitlines() if line.startswith(("import ", "from "))})
    assert imports == ["__future__", "collections.abc", "importlib", "itertools", "json", "math", "numpy", "numpy.typing", "operator", "os", "sys", "typing", "warnings"]


def test_pandas_without_pyarrow(mod: types.ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    # Where pyarrow cannot be imported, pandas' string columns are read as Python values.
    want = mod.encode(pd.DataFrame(RECORDS), training=True)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.compute", None)
    same(mod.encode(pd.DataFrame(RECORDS), training=True), want)
