"""Parity at the edges of numbers: for every dtype, values at and beyond its limits (±2^63, 2^64,
±1e308, subnormals, -0.0, integral floats beyond 2^53, 1e400, NaN, ±Infinity) through three
readers — JSON Lines and CSV through the Rust CLI, and Python's `json` through the generated
module — must give the same errors (row and code) and, for the records all accept, the same
tensors bit for bit. The Rust side reads one value rule for both its readers; the Python module is
the other copy, held to it here."""

from __future__ import annotations

import json
import math
import pathlib
import subprocess
from typing import Any

import numpy as np
import parity
import pytest

DTYPES = ["bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "str"]

# Value texts as JSON writes them (and, unquoted, as a CSV cell holds them).
EDGES = [
    "0",
    "-0",
    "1",
    "-1",
    "127",
    "128",
    "-129",
    "255",
    "256",
    "32767",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9007199254740992",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "18446744073709551617",
    "170141183460469231731687303715884105728",
    "2.0",
    "-0.0",
    "2.5",
    "1e16",
    "9007199254740993.0",
    "9.223372036854775807e18",
    "1.8446744073709552e19",
    "3.4028234663852886e38",
    "3.4028235677973366e38",
    "1e39",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e400",
    "-1e400",
    "5e-324",
    "2.2250738585072014e-308",
    "1e-46",
    "NaN",
    "Infinity",
    "-Infinity",
    "true",
    "false",
    '"12"',
    '"x"',
]


def schema_text(dtype: str) -> str:
    body = {"str": 'encode hash(buckets: 97)', "bool": ""}.get(dtype, "")
    if dtype in ("f32", "f64"):
        body = "scale affine(scale: 1, offset: 0) out f64"
    block = f" {{ {body} }}" if body else ""
    return f"schema edge_{dtype} v1 {{\n  input v: {dtype}{block}\n}}\n"


def csv_cell(text: str) -> str:
    if text.startswith('"'):
        return text.strip('"')
    return {"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}[text] if text in ("NaN", "Infinity", "-Infinity") else text


def encode_cli(schema: pathlib.Path, data: pathlib.Path, out: pathlib.Path) -> tuple[dict[str, np.ndarray] | None, list[tuple[int, str]]]:
    done = subprocess.run(
        [str(parity.CLI), "encode", str(schema), "--data", str(data), "-o", str(out), "--error-limit", "10000", "--errors", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        with np.load(out, allow_pickle=False) as f:
            return {k: f[k] for k in f.files if k != "__tensorseam__"}, []
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["count"] == len(report["errors"]), report
    return None, [(e["row"], e["code"]) for e in report["errors"]]


@pytest.mark.parametrize("dtype", DTYPES)
def test_edges_agree_across_readers(dtype: str, tmp_path: pathlib.Path) -> None:
    schema = tmp_path / f"edge_{dtype}.seam"
    schema.write_text(schema_text(dtype))
    mod = parity.module(schema, tmp_path)
    lines = [f'{{"v": {t}}}' for t in EDGES]
    records: list[dict[str, Any]] = [json.loads(line) for line in lines]
    assert math.isinf(records[EDGES.index("1e400")]["v"])

    jsonl = tmp_path / "edges.jsonl"
    jsonl.write_text("".join(line + "\n" for line in lines))
    csv = tmp_path / "edges.csv"
    csv.write_text("v\n" + "".join(csv_cell(t) + "\n" for t in EDGES))

    try:
        mod.encode(records)
        py_errors: list[tuple[int, str]] = []
    except mod.SchemaValidationError as e:
        py_errors = [(x.row, x.code) for x in e.errors]
    _, jsonl_errors = encode_cli(schema, jsonl, tmp_path / "a.npz")
    assert jsonl_errors == py_errors, f"{dtype}: JSON Lines {jsonl_errors} vs Python {py_errors}"
    _, csv_errors = encode_cli(schema, csv, tmp_path / "b.npz")
    # CSV has no strings for numbers and no numbers for strings: a quoted JSON string is plain
    # text there, and every cell of a `str` column is text. Compare where the cell means the same.
    same = [i for i, t in enumerate(EDGES) if not t.startswith('"') and (dtype != "str")]
    if dtype != "str":
        assert [e for e in csv_errors if e[0] in same] == [e for e in py_errors if e[0] in same], f"{dtype}: CSV vs Python"

    # The records every reader accepts, encoded together: the same tensors, bit for bit.
    bad = {row for row, _ in py_errors}
    good = [i for i in range(len(EDGES)) if i not in bad and (dtype == "str" or i in same)]
    assert good, dtype
    jsonl.write_text("".join(lines[i] + "\n" for i in good))
    csv.write_text("v\n" + "".join(csv_cell(EDGES[i]) + "\n" for i in good))
    want = mod.encode([records[i] for i in good])
    for data in (jsonl, csv):
        if data == csv and dtype == "str":
            continue
        got, errors = encode_cli(schema, data, tmp_path / "c.npz")
        assert got is not None, f"{dtype} {data.name}: {errors}"
        for name, array in want.items():
            assert array.dtype == got[name].dtype and array.tobytes() == got[name].tobytes(), f"{dtype} {data.name}: tensor `{name}` differs: {array} vs {got[name]}"
