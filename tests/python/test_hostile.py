"""The generated module under hostile input (SPEC §10): odd Python values are coded `FieldError`s
at their row and field, bad arguments a `TypeError`/`ValueError` naming the argument — never a
bare exception from deep inside numpy — and numbers at the edges meet the same codes as in Rust
(checked against the runtime through the parity probe)."""

from __future__ import annotations

import json
import math
import pathlib
import types
from typing import Any

import numpy as np
import pandas as pd
import parity
import pytest

SCHEMA = """schema hostile v1 {
  dim t
  input s: str { encode hash(buckets: 7) }
  input c: str { missing fill("a") encode one_hot("a", "b") }
  input f: f64 { missing fill(1.5) }
  input i: i64 { missing fill(3) }
  input u: u64
  input seq: f32[t]
}
"""
BASE: dict[str, Any] = {"s": "x", "c": "a", "f": 1.0, "i": 1, "u": 1, "seq": [1.0]}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.seam"
    path.write_text(SCHEMA)
    return path


@pytest.fixture(scope="module")
def mod(schema: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> types.ModuleType:
    return parity.module(schema, tmp_path_factory.mktemp("module"))


class RaisingHash(str):
    def __hash__(self) -> int:
        raise RuntimeError("no hash")


class RaisingGet(dict):  # type: ignore[type-arg]
    def get(self, key: Any, default: Any = None) -> Any:
        raise RuntimeError("no get")


class RaisingFloat(float):
    def __float__(self) -> float:
        raise RuntimeError("no float")


def errors(mod: types.ModuleType, data: Any, **kw: Any) -> list[tuple[int, str, str]]:
    with pytest.raises(mod.SchemaValidationError) as e:
        mod.encode(data, **kw)
    assert e.value.errors, "a SchemaValidationError always lists its errors"
    return [(x.row, x.field, x.code) for x in e.value.errors]


def test_odd_values_are_coded_errors(mod: types.ModuleType) -> None:
    # A category whose hash raises is read as the string it is.
    assert mod.encode([dict(BASE, c=RaisingHash("b"))])["c"].tolist() == [[0.0, 1.0]]
    # A record whose own `.get` raises is read through its items.
    assert mod.encode([RaisingGet(BASE)])["s"].shape == (1,)
    assert errors(mod, [dict(BASE), dict(BASE, f=RaisingFloat(2.0))]) == [(1, "f", "wrong_type")]
    assert errors(mod, [dict(BASE, s="\ud800")]) == [(0, "s", "wrong_type")]
    assert errors(mod, [dict(BASE, c=object())]) == [(0, "c", "wrong_type")]
    # pandas' NA is a missing value: the fill where there is one.
    out = mod.encode([dict(BASE, f=pd.NA, i=pd.NA, c=pd.NA)])
    assert (out["f"].tolist(), out["i"].tolist(), out["c"].tolist()) == ([1.5], [3], [[1.0, 0.0]])
    assert errors(mod, [dict(BASE, u=pd.NA)]) == [(0, "u", "missing")]


def test_unreadable_records_are_errors_at_their_row(mod: types.ModuleType) -> None:
    from collections.abc import Mapping

    class Broken(Mapping):  # type: ignore[type-arg]
        def __getitem__(self, key: Any) -> Any:
            raise RuntimeError("broken")

        def __iter__(self) -> Any:
            raise RuntimeError("broken")

        def __len__(self) -> int:
            return 1

    assert errors(mod, [dict(BASE), Broken()]) == [(1, "", "wrong_type")]
    assert errors(mod, [dict(BASE), 7]) == [(1, "", "wrong_type")]


@pytest.mark.parametrize(
    ("kwargs", "exc", "word"),
    [
        ({"data": None}, TypeError, "`data`"),
        ({"data": 12}, TypeError, "`data`"),
        ({"data": {"s": np.array("x"), "c": ["a"], "f": [1.0], "i": [1], "u": [1], "seq": [[1.0]]}}, TypeError, "column `s`"),
        ({"data": [BASE], "error_limit": None}, TypeError, "`error_limit`"),
        ({"data": [BASE], "error_limit": 0}, ValueError, "`error_limit`"),
        ({"data": [BASE], "max_dim_len": 0}, ValueError, "`max_dim_len`"),
    ],
)
def test_bad_arguments_name_themselves(mod: types.ModuleType, kwargs: dict[str, Any], exc: type, word: str) -> None:
    with pytest.raises(exc) as e:
        mod.encode(**kwargs)
    assert word in str(e.value)


def test_dims_without_max_are_capped(mod: types.ModuleType) -> None:
    long = dict(BASE, seq=[0.5] * 70_000)
    assert errors(mod, [BASE, long]) == [(1, "seq", "too_long")]
    assert mod.encode([BASE, long], max_dim_len=70_000)["seq"].shape == (2, 70_000)


def test_numbers_at_the_edges_match_the_runtime(mod: types.ModuleType, schema: pathlib.Path) -> None:
    """Exact integers beyond 64 bits, floats beyond f64, as JSON Lines: the module and the Rust
    runtime (through the probe) give the same codes."""
    lines = [
        '{"s": "x", "c": "a", "f": 1.0, "i": -9223372036854775809, "u": 18446744073709551617, "seq": [1e400]}',
        '{"s": "x", "c": "a", "f": 1e400, "i": 9223372036854775807, "u": 18446744073709551615, "seq": [-0.0]}',
        '{"s": "x", "c": "a", "f": -1e400, "i": 1e19, "u": -1, "seq": [1e39, 3.4028235e38]}',
        '{"s": "x", "c": "a", "f": 2.5e-324, "i": 2.0, "u": 1e300, "seq": [NaN, Infinity]}',
    ]
    records = [json.loads(line) for line in lines]
    assert math.isinf(records[1]["f"])
    for training in (False, True):
        py = parity.outcome(mod, records, training)
        (rust,) = parity.probe(schema, lines, "batch", training)
        assert py == rust["dynamic"], parity.explain(rust["dynamic"], py)
        codes = sorted({e[2] for e in py["errors"]})
        assert codes == ["missing", "non_finite", "out_of_range"], py
