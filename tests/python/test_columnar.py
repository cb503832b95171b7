"""The file data path (SPEC §11): the same sampled records written as JSON Lines, CSV, Parquet and
Arrow IPC (by pyarrow: nulls, dictionaries, large_utf8, nested lists) and encoded by `tensorseam
encode` give the tensors of the generated module, bit for bit, and invalid records the same codes,
rows and paths; Parquet output reads back in pyarrow and polars as the `.npz` holds it; `verify`
checks all three formats; parts concatenate to the whole; rejects are set aside."""

from __future__ import annotations

import csv
import json
import math
import pathlib
import subprocess
from typing import Any

import numpy as np
import parity
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import schemagen
from pyarrow import feather

UI = parity.ROOT / "runtime" / "tests" / "ui" / "schemas"
SCHEMAS = [
    parity.ROOT / "schemas" / "penguins.seam",
    parity.ROOT / "schemas" / "digits.yaml",
    parity.ROOT / "schemas" / "cars.yaml",
    parity.ROOT / "schemas" / "weather.seam",
    UI / "scalars.seam",
    UI / "sequences.seam",
    UI / "everything.seam",
    UI / "all.seam",
    UI / "keywords.seam",
]
GENERATED = range(100, 112)


def encode(schema: pathlib.Path, data: pathlib.Path, out: pathlib.Path, training: bool, *extra: str) -> dict[str, Any]:
    """`tensorseam encode` of one data file, in the probe's form."""
    args = [str(parity.CLI), "encode", str(schema), "--data", str(data), "-o", str(out), "--errors", "json", *extra]
    if training:
        args.append("--training")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode == 1:
        report = json.loads(done.stdout)
        return {"errors": [[e["row"], e["path"], e["code"]] for e in report["errors"]], "omitted": report["omitted"]}
    assert done.returncode == 0, done.stderr
    with np.load(out, allow_pickle=False) as z:
        return {"tensors": [[k, parity._SHORT[z[k].dtype.name], list(z[k].shape), z[k].astype(z[k].dtype.newbyteorder("<")).tobytes().hex()] for k in z.files if k != "__tensorseam__"]}


def table(records: list[dict[str, Any]], variant: str) -> pa.Table | None:
    """The records as an Arrow table, strings plain, as dictionaries or as large_utf8; `None` when
    Arrow cannot hold them (integers beyond 64 bits, a column of mixed kinds)."""
    try:
        t = pa.Table.from_pylist(records)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None
    columns = []
    for col in t.columns:
        if pa.types.is_string(col.type) and variant == "dictionary":
            col = col.dictionary_encode()
        elif pa.types.is_string(col.type) and variant == "large":
            col = col.cast(pa.large_string())
        columns.append(col)
    return pa.table(columns, names=t.column_names)


def csv_text(records: list[dict[str, Any]]) -> str | None:
    """The records as CSV (a shaped value as its JSON text); `None` where CSV cannot say the same
    thing (an empty string is a missing cell there)."""
    keys: list[str] = []
    for r in records:
        keys.extend(k for k in r if k not in keys)
    rows = []
    for r in records:
        row = []
        for k in keys:
            v = r.get(k)
            if v == "":
                return None
            if v is None:
                row.append("")
            elif isinstance(v, str):
                row.append(v)
            elif isinstance(v, bool):
                row.append("true" if v else "false")
            else:
                row.append(json.dumps(v))
        rows.append(row)
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(keys)
    w.writerows(rows)
    return out.getvalue()


def writes(records: list[dict[str, Any]], lines: list[str], tmp: pathlib.Path) -> list[tuple[str, pathlib.Path]]:
    """The records in every format a file may hold them."""
    out = []
    jsonl = tmp / "rows.jsonl"
    jsonl.write_text("".join(line + "\n" for line in lines))
    out.append(("jsonl", jsonl))
    text = csv_text(records)
    if text is not None:
        path = tmp / "rows.csv"
        path.write_text(text)
        out.append(("csv", path))
    for variant in ("plain", "dictionary", "large"):
        t = table(records, variant)
        if t is None:
            continue
        path = tmp / f"rows-{variant}.parquet"
        pq.write_table(t, path, row_group_size=7)
        out.append((f"parquet/{variant}", path))
        path = tmp / f"rows-{variant}.arrow"
        feather.write_feather(t, path, compression="uncompressed")
        out.append((f"arrow/{variant}", path))
    return out


def compare(schema: pathlib.Path, tmp: pathlib.Path) -> int:
    mod = parity.module(schema, tmp)
    valid = parity.sample(schema, 50, 11)
    records = [json.loads(line) for line in valid]
    formats = 0
    for training in (False, True):
        want = parity.outcome(mod, records, training)
        assert "tensors" in want, want
        for label, path in writes(records, valid, tmp):
            got = encode(schema, path, tmp / "out.npz", training)
            assert got == want, f"{schema.name} {label} training={training}: {parity.explain(want, got)}"
            formats += 1
    # Invalid records: one at a time (each its own table, as Arrow types it).
    cases = [json.loads(line) for line in parity.sample(schema, 30, 12, invalid=True)]
    for case in cases:
        record = case["record"]
        want = parity.outcome(mod, [record], True)
        for label, path in writes([record], [json.dumps(record, allow_nan=True)], tmp):
            if label.startswith("csv"):
                continue  # CSV has no kinds to get wrong: a cell is text until an input reads it
            got = encode(schema, path, tmp / "bad.npz", True)
            assert got == want, f"{schema.name} {label} on {record}: {parity.explain(want, got)}"
    return formats


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_every_format_encodes_alike(schema: pathlib.Path, tmp_path: pathlib.Path) -> None:
    assert compare(schema, tmp_path) >= 4


@pytest.mark.parametrize("seed", GENERATED)
def test_generated_schemas_encode_alike_from_every_format(seed: int, tmp_path: pathlib.Path) -> None:
    schema = tmp_path / f"generated{seed}.yaml"
    schema.write_text(schemagen.text(seed), encoding="utf-8")
    assert compare(schema, tmp_path) >= 2


def npz(path: pathlib.Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files if k != "__tensorseam__"}


def column_array(col: pa.ChunkedArray, shape: tuple[int, ...]) -> np.ndarray:
    """A Parquet column of nested fixed-size lists as the array it flattens to."""
    arr = col.combine_chunks()
    while pa.types.is_fixed_size_list(arr.type):
        arr = arr.flatten()
    return arr.to_numpy(zero_copy_only=False).reshape(shape)


def test_parquet_output_reads_back_as_the_npz(tmp_path: pathlib.Path) -> None:
    polars = pytest.importorskip("polars")
    schema = parity.ROOT / "schemas" / "digits.yaml"
    lines = parity.sample(schema, 40, 3)
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(line + "\n" for line in lines))
    run = lambda out: subprocess.run([str(parity.CLI), "encode", str(schema), "--data", str(data), "-o", str(out), "--training"], capture_output=True, text=True, check=False)
    for out in ("x.npz", "x.safetensors", "x.parquet"):
        done = run(tmp_path / out)
        assert done.returncode == 0, done.stderr
        verified = subprocess.run([str(parity.CLI), "verify", str(schema), str(tmp_path / out)], capture_output=True, text=True, check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    want = npz(tmp_path / "x.npz")
    t = pq.read_table(tmp_path / "x.parquet")
    assert t.column_names == list(want)
    meta = json.loads(t.schema.metadata[b"tensorseam"])
    assert meta["schema"] == "digits"
    for name, array in want.items():
        got = column_array(t.column(name), array.shape)
        assert got.dtype == array.dtype and np.array_equal(got, array), name
    df = polars.read_parquet(tmp_path / "x.parquet")
    for name, array in want.items():
        got = df[name].to_numpy()
        assert np.array_equal(np.asarray(got.tolist(), dtype=array.dtype).reshape(array.shape), array), name
    # verify fails on a changed fingerprint, dtype or width.
    bad_meta = t.replace_schema_metadata({b"tensorseam": json.dumps({**meta, "fingerprint": "0" * 64}).encode()})
    pq.write_table(bad_meta, tmp_path / "fp.parquet")
    scalar = next(n for n, a in want.items() if a.ndim == 1)
    casted = t.set_column(t.column_names.index(scalar), scalar, pa.array(want[scalar].astype(np.float64)))
    pq.write_table(casted.replace_schema_metadata(t.schema.metadata), tmp_path / "dtype.parquet")
    wide = t.set_column(t.column_names.index(scalar), scalar, pa.array([[v, v] for v in want[scalar].tolist()], type=pa.list_(pa.from_numpy_dtype(want[scalar].dtype), 2)))
    pq.write_table(wide.replace_schema_metadata(t.schema.metadata), tmp_path / "width.parquet")
    for bad in ("fp.parquet", "dtype.parquet", "width.parquet"):
        done = subprocess.run([str(parity.CLI), "verify", str(schema), str(tmp_path / bad)], capture_output=True, text=True, check=False)
        assert done.returncode == 1, (bad, done.stdout, done.stderr)


@pytest.mark.parametrize("fmt", ["npz", "parquet"])
def test_parts_concatenate_to_the_whole(fmt: str, tmp_path: pathlib.Path) -> None:
    schema = parity.ROOT / "schemas" / "cars.yaml"
    data = parity.ROOT / "examples" / "data" / "cars.csv"
    whole = tmp_path / f"whole.{fmt}"
    args = [str(parity.CLI), "encode", str(schema), "--data", str(data), "--training"]
    assert subprocess.run([*args, "-o", str(whole)], capture_output=True, check=False).returncode == 0
    parts = tmp_path / "parts"
    done = subprocess.run([*args, "-o", str(parts), "--rows-per-file", "7", "--format", fmt], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    files = sorted(parts.iterdir())
    assert [f.name for f in files] == [f"part-{i:05}.{fmt}" for i in range(math.ceil(40 / 7))]
    if fmt == "npz":
        pieces = [npz(f) for f in files]
        for name, array in npz(whole).items():
            assert np.array_equal(np.concatenate([p[name] for p in pieces]), array), name
    else:
        joined = pa.concat_tables([pq.read_table(f) for f in files])
        assert joined.equals(pq.read_table(whole))


def test_rejects_set_invalid_records_aside(tmp_path: pathlib.Path) -> None:
    schema = parity.ROOT / "schemas" / "cars.yaml"
    rows = list(csv.DictReader((parity.ROOT / "examples" / "data" / "cars.csv").open()))
    rows[3]["Origin"] = "Mars"
    rows[17]["Cylinders"] = "four"
    data = tmp_path / "cars.csv"
    with data.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    base = [str(parity.CLI), "encode", str(schema), "--data", str(data), "-o", str(tmp_path / "out.npz")]
    # Without --rejects: exit 1, nothing written.
    assert subprocess.run(base, capture_output=True, check=False).returncode == 1
    assert not (tmp_path / "out.npz").exists()
    rejects = tmp_path / "rejects.jsonl"
    done = subprocess.run([*base, "--rejects", str(rejects), "--max-reject-fraction", "0.1"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "rejected 2 of 40 records" in done.stderr
    lines = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [r["row"] for r in lines] == [3, 17]
    assert lines[0]["errors"][0]["code"] == "unknown_category" and lines[0]["record"]["Origin"] == "Mars"
    assert lines[1]["errors"][0] == {"field": "Cylinders", "code": "wrong_type", "message": lines[1]["errors"][0]["message"]}
    assert npz(tmp_path / "out.npz")["features"].shape == (38, 12)
    # Past the fraction: exit 1, the output not written (the rejects are kept for a look).
    (tmp_path / "out.npz").unlink()
    done = subprocess.run([*base, "--rejects", str(rejects)], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "max-reject-fraction" in done.stderr
    assert not (tmp_path / "out.npz").exists() and rejects.exists()


def test_json_lines_read_without_values_agree_with_json(tmp_path: pathlib.Path) -> None:
    """JSON Lines are read into cells without a `Value` per record; the lines a `Value` would read
    differently — escaped keys and text, duplicate keys (the last wins), Python's NaN/Infinity
    tokens, integers beyond 64 bits, nested lists, nulls, absent fields, a line that is not an
    object — give what the generated module gives for the same records, and strict mode (the
    `Value` path) agrees."""
    schema = tmp_path / "s.seam"
    schema.write_text(
        'schema s v1 {\n  dim n max 3\n  input x: f64 { missing fill(0.5) }\n  input k: i64\n'
        '  input c: str { encode one_hot("a", "b\\"q", "é") }\n  input l: f32[n]\n}\n',
        encoding="utf-8",
    )
    mod = parity.module(schema, tmp_path)
    good = [
        '{"x": 1.5, "k": 3, "c": "a", "l": [1, 2]}',
        '{"\\u0078": 2.5, "k": 4, "c": "b\\"q", "l": []}',
        '{"x": NaN, "k": -9223372036854775808, "c": "\\u00e9", "l": [0.5, 1e3, -2]}',
        '{"x": 1, "x": 7.25, "k": 5, "c": "a", "l": [3], "extra": {"deep": [1, {"a": null}]}}',
        '{"k": 6, "c": "a", "l": [1]}',
        '{"x": null, "k": 7, "c": "é", "l": [1, 2, 3]}',
    ]
    bad = [
        '{"x": Infinity, "k": 1, "c": "a", "l": []}',
        '{"x": 1.0, "k": 9223372036854775808, "c": "a", "l": []}',
        '{"x": 1.0, "k": 100000000000000000000000, "c": "a", "l": []}',
        '{"x": "1.0", "k": 1.5, "c": "z", "l": [1, 2, 3, 4]}',
        '{"x": [1], "k": true, "c": 3, "l": 5}',
        "[1, 2, 3]",
        '{"x": 1.0, "k": 1, "c": "a", "l": [[1]]}',
    ]
    for lines in [good, *[[*good[:2], b] for b in bad]]:
        data = tmp_path / "rows.jsonl"
        data.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        records = [json.loads(line) for line in lines]
        want = parity.outcome(mod, records, False)
        got = encode(schema, data, tmp_path / "out.npz", False)
        assert got == want, f"{lines[-1]}: {parity.explain(want, got)}"
        # Strict mode reads lines as `Value`s; the same records without the unknown field agree.
        plain = tmp_path / "plain.jsonl"
        plain.write_text("".join(line.replace(', "extra": {"deep": [1, {"a": null}]}', "") + "\n" for line in lines), encoding="utf-8")
        strict = encode(schema, plain, tmp_path / "out.npz", False, "--strict")
        assert strict == want, f"{lines[-1]} --strict: {parity.explain(want, strict)}"
