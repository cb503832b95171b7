"""The cross-language parity harness: the same `sample` records through the runtime's dynamic path,
the derive (both through the probe, `tests/probe`) and the generated Python module — from record
lists, from columns of lists and from numpy columns. Tensors must match bit for bit and errors in
code, row and path; a mismatch names the first differing element with both values."""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import types
from typing import Any

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = pathlib.Path(os.environ.get("TENSORSEAM_BIN", ROOT / "target" / "debug" / "tensorseam"))
PROBE = ROOT / "target" / "debug" / "probe"

_SHORT = {"bool": "bool", "float32": "f32", "float64": "f64", "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64", "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64"}


def run(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(a) for a in args], input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def module(schema: pathlib.Path, out_dir: pathlib.Path) -> types.ModuleType:
    """Generates the schema's Python module and imports it under a unique name."""
    name = "ts_" + schema.stem + "_" + str(abs(hash(str(schema))))
    path = out_dir / f"{name}.py"
    run(CLI, "gen", "python", schema, "-o", path)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def sample(schema: pathlib.Path, n: int, seed: int, invalid: bool = False) -> list[str]:
    args = [CLI, "sample", schema, "-n", str(n), "--seed", str(seed)]
    if invalid:
        args.append("--invalid")
    return [line for line in run(*args).splitlines() if line]


def probe(schema: pathlib.Path, lines: list[str], mode: str, training: bool) -> list[dict[str, Any]]:
    args = [PROBE, schema, mode] + (["--training"] if training else [])
    return [json.loads(line) for line in run(*args, stdin="".join(line + "\n" for line in lines)).splitlines()]


def outcome(mod: types.ModuleType, data: Any, training: bool) -> dict[str, Any]:
    """The Python module's result in the probe's form."""
    try:
        tensors = mod.encode(data, training=training)
    except mod.SchemaValidationError as e:
        return {"errors": [[x.row, x.field, x.code] for x in e.errors], "omitted": e.omitted}
    return {"tensors": [[name, _SHORT[a.dtype.name], list(a.shape), a.astype(a.dtype.newbyteorder("<")).tobytes().hex()] for name, a in tensors.items()]}


def columns(records: list[Any], as_numpy: bool) -> dict[str, Any] | None:
    """The records as a mapping of columns (lists, or numpy arrays where a plain dtype holds the
    column exactly); `None` when some record is not an object."""
    if not all(isinstance(r, dict) for r in records):
        return None
    keys: list[str] = []
    for r in records:
        keys.extend(k for k in r if k not in keys)
    cols: dict[str, Any] = {k: [r.get(k) for r in records] for k in keys}
    if as_numpy:
        for k, col in cols.items():
            kinds = set(map(type, col))
            if kinds == {float}:
                cols[k] = np.array(col, dtype=np.float64)
            elif kinds == {int} and all(-(2**63) <= v < 2**63 for v in col):
                cols[k] = np.array(col, dtype=np.int64)
            elif kinds == {bool}:
                cols[k] = np.array(col, dtype=np.bool_)
            elif kinds == {str} and not any("\0" in v for v in col):
                cols[k] = np.array(col, dtype=np.str_)
    return cols


def frame(records: list[Any]) -> Any:
    """The records as a pandas DataFrame, unless pandas would change a value: integers beyond
    2^53 in a column it stores as floats."""
    pd = importlib.import_module("pandas")
    if not all(isinstance(r, dict) for r in records):
        return None
    for r in records:
        for v in r.values():
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53:
                return None
    return pd.DataFrame(records)


def _first_difference(want: list[Any], got: list[Any]) -> str:
    (name, dtype, shape, hex_a), (_, dtype_b, shape_b, hex_b) = want, got
    if (dtype, shape) != (dtype_b, shape_b):
        return f"tensor `{name}`: {dtype}{shape} vs {dtype_b}{shape_b}"
    np_dtype = np.dtype({v: k for k, v in _SHORT.items()}[dtype]).newbyteorder("<")
    a = np.frombuffer(bytes.fromhex(hex_a), dtype=np_dtype).reshape(shape)
    b = np.frombuffer(bytes.fromhex(hex_b), dtype=np_dtype).reshape(shape)
    flat_a, flat_b = a.reshape(-1), b.reshape(-1)
    bytes_a, bytes_b = flat_a.view(np.uint8).reshape(len(flat_a), -1), flat_b.view(np.uint8).reshape(len(flat_b), -1)
    differs = np.flatnonzero((bytes_a != bytes_b).any(axis=1))
    if len(differs) == 0:
        return f"tensor `{name}`: equal"
    i = int(differs[0])
    where = np.unravel_index(i, shape) if shape else ()
    return f"tensor `{name}` first differs at {tuple(int(x) for x in where)}: {flat_a[i]!r} vs {flat_b[i]!r} ({len(differs)} elements differ)"


def explain(want: dict[str, Any], got: dict[str, Any]) -> str:
    if "tensors" in want and "tensors" in got:
        names_a = [t[0] for t in want["tensors"]]
        names_b = [t[0] for t in got["tensors"]]
        if names_a != names_b:
            return f"tensors {names_a} vs {names_b}"
        return "; ".join(_first_difference(a, b) for a, b in zip(want["tensors"], got["tensors"]) if a != b)
    if "errors" in want and "errors" in got:
        for a, b in zip(want["errors"], got["errors"]):
            if a != b:
                return f"first differing error: {a} vs {b}"
        return f"{len(want['errors'])} errors (+{want.get('omitted')}) vs {len(got['errors'])} (+{got.get('omitted')})"
    return f"{'tensors' if 'tensors' in want else 'errors ' + str(want['errors'][:3])} vs {'tensors' if 'tensors' in got else 'errors ' + str(got['errors'][:3])}"


def check(schema: pathlib.Path, out_dir: pathlib.Path, n: int = 120, seed: int = 7, invalid: int = 120) -> dict[str, int]:
    """Runs the whole comparison for one schema; returns what was compared."""
    mod = module(schema, out_dir)
    counts = {"batches": 0, "derive": 0, "invalid": 0}
    valid = sample(schema, n, seed)
    records = [json.loads(line) for line in valid]
    for training in (False, True):
        (rust,) = probe(schema, valid, "batch", training)
        want = rust["dynamic"]
        assert "tensors" in want, f"{schema}: sampled records are valid: {want}"
        if rust["derive"] is not None:
            assert rust["derive"] == want, f"{schema}: derive vs dynamic: {explain(want, rust['derive'])}"
            counts["derive"] += 1
        for label, data in (("records", records), ("columns", columns(records, False)), ("numpy columns", columns(records, True)), ("DataFrame", frame(records))):
            if data is None:
                continue
            got = outcome(mod, data, training)
            assert got == want, f"{schema} ({label}, training={training}): Python vs Rust: {explain(want, got)}"
            counts["batches"] += 1
    cases = [json.loads(line) for line in sample(schema, invalid, seed + 1, invalid=True)]
    lines = [json.dumps(c["record"], allow_nan=True) for c in cases]
    for case, rust in zip(cases, probe(schema, lines, "rows", True)):
        want = rust["dynamic"]
        assert "errors" in want, f"{schema}: {case} is invalid"
        assert [case["expect"]["code"], case["expect"]["path"]] in [[e[2], e[1]] for e in want["errors"]], f"{schema}: {case} not reported by Rust: {want}"
        if rust["derive"] is not None:
            assert rust["derive"] == want, f"{schema}: derive vs dynamic on {case['record']}: {explain(want, rust['derive'])}"
            counts["derive"] += 1
        for label, data in (("records", [case["record"]]), ("columns", columns([case["record"]], False))):
            if data is None:
                continue
            got = outcome(mod, data, True)
            assert got == want, f"{schema} ({label}): Python vs Rust on {json.dumps(case['record'], allow_nan=True)}: {explain(want, got)}"
        counts["invalid"] += 1
    # All the invalid records in one batch: errors in row order, cut at the limit with the rest
    # counted.
    (rust,) = probe(schema, lines, "batch", True)
    batch = [c["record"] for c in cases]
    for label, data in (("records", batch), ("columns", columns(batch, False))):
        if data is not None:
            got = outcome(mod, data, True)
            assert got == rust["dynamic"], f"{schema} ({label}, one batch of {len(batch)} invalid records): {explain(rust['dynamic'], got)}"
    return counts
