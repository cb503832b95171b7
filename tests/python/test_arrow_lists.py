"""`encode_arrow` reads columns from Arrow buffers (offsets, null bitmaps and values, no Python
object per value) and gives what `encode` gives for the same records — valid and invalid, lists
nested in every Arrow layout (list, large_list, fixed_size_list, sliced), dims with truncation,
min and no max, nulls at every depth — and what `tensorseam encode` writes for the same Parquet."""

from __future__ import annotations

import json
import pathlib
import random
import subprocess

import numpy as np
import parity
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

UI = parity.ROOT / "runtime" / "tests" / "ui" / "schemas"
SCHEMAS = [UI / "sequences.seam", UI / "everything.seam", UI / "all.seam", parity.ROOT / "schemas" / "sessions.yaml"]


def variants(table: pa.Table) -> list[pa.Table]:
    """The table, its list columns as large_list, and as fixed_size_list where every row has one length."""
    out = [table]
    large, fixed = [], []
    for col in table.columns:
        t = col.type
        if pa.types.is_list(t):
            large.append(col.cast(pa.large_list(t.value_type)))
            lengths = {len(v) for v in col.to_pylist() if v is not None}
            fixed.append(col.cast(pa.list_(t.value_type, lengths.pop())) if len(lengths) == 1 and col.null_count == 0 else col)
        else:
            large.append(col)
            fixed.append(col)
    out.append(pa.table(large, names=table.column_names))
    out.append(pa.table(fixed, names=table.column_names))
    return out


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_encode_arrow_equals_encode(schema: pathlib.Path, tmp_path: pathlib.Path) -> None:
    if schema.name == "sessions.yaml":
        fitted = tmp_path / "sessions.fitted.yaml"
        data = tmp_path / "rows.jsonl"
        data.write_text("".join(line + "\n" for line in parity.sample(schema, 300, 3)))
        parity.run(parity.CLI, "fit", schema, "--data", data, "-o", fitted, "--max-skip-fraction", "1")
        schema = fitted
    mod = parity.module(schema, tmp_path)
    checked = 0
    for seed in (1, 2, 3):
        records = [json.loads(line) for line in parity.sample(schema, 40, seed)]
        invalid = [json.loads(line)["record"] for line in parity.sample(schema, 25, seed, invalid=True)]
        for batch in [records, *[[*records[:5], bad] for bad in invalid]]:
            try:
                table = pa.Table.from_pylist(batch)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                continue
            for training in (False, True):
                want = parity.outcome(mod, batch, training)
                for t in variants(table):
                    for part in (t, t.slice(0)):
                        got = _arrow_outcome(mod, part, training)
                        assert got == want, f"{schema.name} {t.schema}: {parity.explain(want, got)}"
                        checked += 1
    assert checked > 100


def _arrow_outcome(mod: object, table: pa.Table, training: bool) -> dict[str, object]:
    try:
        tensors = mod.encode_arrow(table, training=training)  # type: ignore[attr-defined]
    except mod.SchemaValidationError as e:  # type: ignore[attr-defined]
        return {"errors": [[x.row, x.field, x.code] for x in e.errors], "omitted": e.omitted}
    return {"tensors": [[name, parity._SHORT[a.dtype.name], list(a.shape), a.astype(a.dtype.newbyteorder("<")).tobytes().hex()] for name, a in tensors.items()]}


@pytest.mark.parametrize("schema", SCHEMAS[:3], ids=lambda p: p.name)
def test_valid_lists_stay_in_buffers(schema: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Valid records — nested lists, multi_hot lists, nullable columns with their fills — are
    encoded without turning an Arrow column into Python values (`tolist` is for the walker that
    reports errors)."""
    mod = parity.module(schema, tmp_path)
    records = [json.loads(line) for line in parity.sample(schema, 50, 5)]
    keys = sorted(set().union(*records))
    table = pa.Table.from_pylist([{k: r.get(k) for k in keys} for r in records])
    want = parity.outcome(mod, records, True)
    assert "tensors" in want

    def refuse(self: object) -> list[object]:
        raise AssertionError(f"{type(self).__name__}.tolist called on valid data")

    for kind in ("_Arrow", "_ArrowList", "_Masked"):
        monkeypatch.setattr(getattr(mod, kind), "tolist", refuse)
    for t in variants(table):
        assert _arrow_outcome(mod, t, True) == want


def test_sliced_lists_keep_their_rows(tmp_path: pathlib.Path) -> None:
    mod = parity.module(UI / "sequences.seam", tmp_path)
    records = [json.loads(line) for line in parity.sample(UI / "sequences.seam", 30, 9)]
    table = pa.Table.from_pylist(records)
    part = pa.Table.from_batches([table.to_batches()[0].slice(7, 11)])
    assert _arrow_outcome(mod, part, True) == parity.outcome(mod, records[7:18], True)


def _punch(v: object, rng: random.Random) -> object:
    """`v` with one value, at any depth of its lists, made null (None)."""
    if not isinstance(v, list) or not v or rng.random() < 0.3:
        return None
    i = rng.randrange(len(v))
    return [*v[:i], _punch(v[i], rng), *v[i + 1 :]]


@pytest.mark.parametrize("schema", SCHEMAS[:3], ids=lambda p: p.name)
def test_nulls_at_every_depth(schema: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """Arrow nulls — a null number, bool or string in a scalar column (missing: the fill or an
    error), a null list at any level, a null element, before and inside a truncated part — give
    what `encode` gives for None in the same place: the same tensors or the same errors."""
    mod = parity.module(schema, tmp_path)
    rng = random.Random(7)
    records = [json.loads(line) for line in parity.sample(schema, 60, 4)]
    outcomes = set()
    for trial in range(40):
        batch = [dict(r) for r in records[trial % 20 : trial % 20 + 12]]
        for _ in range(trial % 3):
            record = rng.choice(batch)
            name = rng.choice(sorted(record))
            record[name] = _punch(record[name], rng)
        # A field no record of the batch has is a null column: the same as absent.
        keys = sorted(set().union(*records))
        try:
            table = pa.Table.from_pylist([{k: r.get(k) for k in keys} for r in batch])
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            continue
        for training in (False, True):
            want = parity.outcome(mod, batch, training)
            outcomes.add("errors" in want)
            for t in variants(table):
                got = _arrow_outcome(mod, t, training)
                assert got == want, f"{schema.name} {t.schema}: {parity.explain(want, got)}"
    # Both kinds of outcome were compared: batches that encode and batches with errors.
    assert outcomes == {True, False}


NULLABLE = """schema nullable v1 {
  input a: i32 { missing fill(7) }
  input b: bool { missing fill(true) }
  input c: str { missing fill("q") encode hash(buckets: 5) }
  input d: u64 { missing fill(18446744073709551615) }
  input e: f64 { missing fill(0.5) }
  input f: i8
}
"""


def test_nullable_columns_of_every_type(tmp_path: pathlib.Path) -> None:
    """Columns with nulls, of the input's type or another (floats for an integer, integers for a
    bool or a string, negative numbers for a `u64`, an integer too wide), give `encode`'s tensors
    or errors for the same values as Python records: fills exact to the last bit of a `u64`."""
    schema = tmp_path / "nullable.seam"
    schema.write_text(NULLABLE)
    mod = parity.module(schema, tmp_path)
    columns = [
        {"a": pa.array([1, None, 2], pa.int64()), "b": pa.array([True, None, False]), "c": pa.array(["x", None, "y"]), "d": pa.array([2**64 - 1, None, 3], pa.uint64()), "e": pa.array([1.5, None, float("nan")]), "f": pa.array([1, 2, -3], pa.int8())},
        {"a": pa.array([1.0, None, 2.5]), "b": pa.array([1, None, 0]), "c": pa.array([1, None, 3]), "d": pa.array([1, None, 3], pa.uint64()), "e": pa.array([1, None, 3], pa.int64()), "f": pa.array([1, None, 300], pa.int64())},
        {"a": pa.array([2**40, None, 2], pa.int64()), "b": pa.array([True, None, False]), "c": pa.array(["x", None, "y"]), "d": pa.array([-1, None, 3], pa.int64()), "e": pa.array([1.5, None, float("inf")]), "f": pa.array([None, 2, -3], pa.int8())},
    ]
    outcomes = []
    for c in columns:
        table = pa.table(c)
        want = parity.outcome(mod, table.to_pylist(), False)
        assert _arrow_outcome(mod, table, False) == want
        outcomes.append(want)
    assert "tensors" in outcomes[0] and "errors" in outcomes[1] and "errors" in outcomes[2]
    assert mod.encode_arrow(pa.table(columns[0]))["d"].tolist() == [2**64 - 1, 2**64 - 1, 3]


@pytest.mark.parametrize("schema", SCHEMAS[:2], ids=lambda p: p.name)
def test_the_cli_reads_the_same_parquet(schema: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """The Rust reader and `encode_arrow` take one Parquet file of nested lists with nulls the same
    way: `tensorseam encode` writes tensors equal (dtype and bytes) to `encode_arrow`'s, or both
    refuse the file."""
    mod = parity.module(schema, tmp_path)
    rng = random.Random(3)
    records = [json.loads(line) for line in parity.sample(schema, 200, 6)]
    keys = sorted(set().union(*records))
    verdicts = set()
    for trial in range(6):
        batch = [dict(r) for r in records[trial * 30 : trial * 30 + 30]]
        for _ in range(trial % 3):
            record = rng.choice(batch)
            name = rng.choice(sorted(record))
            record[name] = _punch(record[name], rng)
        table = pa.Table.from_pylist([{k: r.get(k) for k in keys} for r in batch])
        data, out = tmp_path / f"in{trial}.parquet", tmp_path / f"out{trial}.parquet"
        pq.write_table(table, data)
        done = subprocess.run([str(parity.CLI), "encode", str(schema), "--data", str(data), "-o", str(out), "--training"], capture_output=True, text=True, check=False)
        try:
            mine = mod.encode_arrow(pq.read_table(data), training=True)
        except mod.SchemaValidationError:
            assert done.returncode != 0, f"the CLI took what encode_arrow refused: {done.stdout}"
            verdicts.add("refused")
            continue
        assert done.returncode == 0, done.stderr
        theirs = mod.from_arrow(pq.read_table(out))
        assert mine.keys() == theirs.keys()
        for name, array in mine.items():
            assert array.dtype == theirs[name].dtype and np.array_equal(array, theirs[name]), name
        verdicts.add("encoded")
    assert verdicts == {"refused", "encoded"}
