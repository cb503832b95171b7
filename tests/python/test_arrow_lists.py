"""`encode_arrow` reads list columns from Arrow buffers (offsets and values, no Python object per
value) and gives what `encode` gives for the same records — valid and invalid, lists of every
Arrow layout (list, large_list, fixed_size_list, sliced), dims with truncation, min and no max."""

from __future__ import annotations

import json
import pathlib

import parity
import pyarrow as pa
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


def test_sliced_lists_keep_their_rows(tmp_path: pathlib.Path) -> None:
    mod = parity.module(UI / "sequences.seam", tmp_path)
    records = [json.loads(line) for line in parity.sample(UI / "sequences.seam", 30, 9)]
    table = pa.Table.from_pylist(records)
    part = pa.Table.from_batches([table.to_batches()[0].slice(7, 11)])
    assert _arrow_outcome(mod, part, True) == parity.outcome(mod, records[7:18], True)
