"""The generated module's `to_arrow`, `from_arrow` and `arrow_schema` (SPEC §12) lay tensors out as
`tensorseam encode -o x.parquet` does (SPEC §11): the same Arrow schema, metadata and values, so a
Spark, Dask or Ray job's output and the CLI's are interchangeable."""

from __future__ import annotations

import json
import pathlib
import subprocess

import numpy as np
import parity
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

UI = parity.ROOT / "runtime" / "tests" / "ui" / "schemas"
# Schemas whose tensors are fixed per example (every dim has a `max`) and with open dims.
FIXED = [parity.ROOT / "schemas" / "penguins.seam", parity.ROOT / "schemas" / "digits.yaml", parity.ROOT / "schemas" / "weather.seam", UI / "scalars.seam"]
OPEN = [UI / "sequences.seam", UI / "all.seam", UI / "everything.seam"]


def cli_parquet(schema: pathlib.Path, lines: list[str], tmp: pathlib.Path, training: bool) -> pa.Table:
    data = tmp / "rows.jsonl"
    data.write_text("".join(line + "\n" for line in lines))
    out = tmp / "x.parquet"
    args = [str(parity.CLI), "encode", str(schema), "--data", str(data), "-o", str(out)]
    if training:
        args.append("--training")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return pq.read_table(out)


@pytest.mark.parametrize("schema", FIXED + OPEN, ids=lambda p: p.name)
@pytest.mark.parametrize("training", [False, True])
def test_to_arrow_is_the_cli_parquet_layout(schema: pathlib.Path, training: bool, tmp_path: pathlib.Path) -> None:
    mod = parity.module(schema, tmp_path)
    lines = parity.sample(schema, 60, seed=11)
    tensors = mod.encode([json.loads(line) for line in lines], training=training)
    ours = pa.Table.from_batches([mod.to_arrow(tensors)])
    theirs = cli_parquet(schema, lines, tmp_path, training)
    assert ours.schema.equals(theirs.schema, check_metadata=True), f"{ours.schema}\n!=\n{theirs.schema}"
    assert ours.equals(theirs), "values differ"
    back = mod.from_arrow(theirs)
    assert list(back) == list(tensors)
    for name, a in tensors.items():
        assert back[name].dtype == a.dtype and back[name].shape == a.shape, name
        assert np.array_equal(back[name], a), name
        assert back[name].flags.writeable
    if schema in FIXED:
        assert mod.arrow_schema(training=training).equals(theirs.schema, check_metadata=True)


def test_arrow_schema_asks_for_open_dims(tmp_path: pathlib.Path) -> None:
    mod = parity.module(UI / "sequences.seam", tmp_path)
    with pytest.raises(ValueError, match="has no `max`"):
        mod.arrow_schema()
    open_dims = {d.name: 7 for d in mod._plan().dims if d.max is None}
    schema = mod.arrow_schema(dims=open_dims)
    assert schema.metadata[b"tensorseam"] == mod.to_arrow(mod.encode([json.loads(x) for x in parity.sample(UI / "sequences.seam", 3, seed=1)])).schema.metadata[b"tensorseam"]


def test_from_arrow_refuses_what_the_schema_does_not_make(tmp_path: pathlib.Path) -> None:
    mod = parity.module(parity.ROOT / "schemas" / "penguins.seam", tmp_path)
    lines = parity.sample(parity.ROOT / "schemas" / "penguins.seam", 20, seed=3)
    batch = mod.to_arrow(mod.encode([json.loads(line) for line in lines]))
    other = dict(batch.schema.metadata)
    meta = json.loads(other[b"tensorseam"])
    meta["fingerprint"] = "0" * 64
    other[b"tensorseam"] = json.dumps(meta).encode()
    with pytest.raises(ValueError, match="encoded with schema"):
        mod.from_arrow(batch.replace_schema_metadata(other))
    with pytest.raises(ValueError, match="has no tensor `extra`"):
        mod.from_arrow(batch.append_column("extra", pa.array(np.zeros(len(batch)))))
    first = batch.schema.names[0]
    cast = pa.table(batch).set_column(0, first, pa.table(batch).column(0).cast(pa.list_(pa.float64(), batch.schema.field(first).type.list_size)))
    with pytest.raises(ValueError, match=f"tensor `{first}` is float64"):
        mod.from_arrow(cast)
    # Without metadata (an engine that drops it) the columns are still checked, and accepted.
    plain = batch.replace_schema_metadata(None)
    assert np.array_equal(mod.from_arrow(plain)[first], mod.from_arrow(batch)[first])
    # Slices keep their rows.
    part = mod.from_arrow(batch.slice(5, 7))
    assert np.array_equal(part[first], mod.from_arrow(batch)[first][5:12])
