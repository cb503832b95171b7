"""The generated module on Arrow data and distributed `fit` (SPEC §12), one run, side by side, on
the 1,000,000-row workload of BENCHMARKS.md as a pyarrow Table:

- `encode_arrow(table)` beside `encode(DataFrame)` of the same rows (goal: no slower);
- `fit_stats` of 8 partitions + `merge_stats` beside one `fit_stats` of the whole (goal: ≤ 1.5×),
  on the workload's schema with every parameter left to `fit`;
- on `benches/nested.seam` (lists of lists, multi_hot lists, nullable numbers, text), a tenth as
  many rows: `encode_arrow(table)` beside `encode` of the same columns as Python values (what
  `encode_arrow` did with such columns before it read their Arrow buffers).

    .venv/bin/python benches/arrow_fit.py [--rows N]

(after `cargo build -p tensorseam-cli`; `TENSORSEAM_BIN` names another binary).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import tempfile
from types import ModuleType

import numpy as np
import pyarrow as pa

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benches"))
from python_encode import generated_module, median_ms, workload


def module_of(schema: pathlib.Path) -> ModuleType:
    cli = os.environ.get("TENSORSEAM_BIN", str(ROOT / "target" / "debug" / "tensorseam"))
    path = pathlib.Path(tempfile.mkdtemp()) / f"{schema.stem}_bench.py"
    subprocess.run([cli, "gen", "python", str(schema), "-o", str(path)], check=True)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nested_table(rows: int) -> pa.Table:
    """Rows for `benches/nested.seam`: 1–24 steps (truncated to 16), 0–8 picks, a tenth of the
    numbers null, titles of 5–30 characters, some of them not ASCII."""
    rng = np.random.default_rng(11)
    steps = rng.integers(1, 25, rows)
    track = pa.ListArray.from_arrays(
        pa.array(np.concatenate(([0], np.cumsum(steps))).astype(np.int32)),
        pa.FixedSizeListArray.from_arrays(pa.array(rng.normal(0, 2, int(steps.sum()) * 3)), 3),
    )
    items = rng.integers(0, 9, rows)
    picks = pa.ListArray.from_arrays(pa.array(np.concatenate(([0], np.cumsum(items))).astype(np.int32)), pa.array(np.array(list("abcdef"))[rng.integers(0, 6, int(items.sum()))]))
    null = rng.random((2, rows)) < 0.1
    age = pa.array(rng.normal(40, 12, rows).astype(np.float32), mask=null[0])
    visits = pa.array(rng.integers(0, 1000, rows).astype(np.int32), mask=null[1])
    words = np.array(["zürich", "tokyo", "lima", "oslo", "québec", "accra", "perth", "kyiv"])
    title = pa.array([" ".join(words[rng.integers(0, 8, 1 + i % 4)]) for i in range(rows)])
    word = pa.array(words[rng.integers(0, 8, rows)])
    return pa.table({"track": track, "picks": picks, "age": age, "visits": visits, "title": title, "word": word})


def fitting_module() -> ModuleType:
    """The workload's schema with its scaling and categories left to `fit`."""
    text = (ROOT / "runtime" / "benches" / "workload.seam").read_text()
    text = re.sub(r"standardize\([^)]*\)", "standardize(fit)", text)
    text = re.sub(r"minmax\([^)]*\)", "minmax(fit)", text)
    text = re.sub(r"(one_hot|index)\([^)]*\)", r"\1(fit)", text)
    folder = pathlib.Path(tempfile.mkdtemp())
    (folder / "workload_fit.seam").write_text(text)
    cli = os.environ.get("TENSORSEAM_BIN", str(ROOT / "target" / "debug" / "tensorseam"))
    path = folder / "workload_fit.py"
    subprocess.run([cli, "gen", "python", str(folder / "workload_fit.seam"), "-o", str(path)], check=True)
    spec = importlib.util.spec_from_file_location("workload_fit", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    frame = workload(args.rows)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    mod = generated_module()
    df_ms = median_ms(lambda: mod.encode(frame))
    arrow_ms = median_ms(lambda: mod.encode_arrow(table))
    print(f"{args.rows:,} rows (median of 5)")
    print(f"  encode(DataFrame)            {df_ms:8.1f} ms")
    print(f"  encode_arrow(Table)          {arrow_ms:8.1f} ms   {arrow_ms / df_ms:.2f}x encode(DataFrame)")
    fit = fitting_module()
    step = -(-args.rows // 8)
    parts = [table.slice(i * step, step) for i in range(8)]
    whole_ms = median_ms(lambda: fit.fit_stats(table))
    split_ms = median_ms(lambda: functools.reduce(fit.merge_stats, [fit.fit_stats(p) for p in parts]))
    print(f"  fit_stats(whole)             {whole_ms:8.1f} ms")
    print(f"  8 x fit_stats + merge_stats  {split_ms:8.1f} ms   {split_ms / whole_ms:.2f}x the whole")
    nested = module_of(ROOT / "benches" / "nested.seam")
    deep = nested_table(args.rows // 10)
    values = {name: deep.column(name).to_pylist() for name in deep.column_names}
    fast, slow = nested.encode_arrow(deep), nested.encode(values)
    assert fast.keys() == slow.keys() and all(np.array_equal(fast[k], slow[k]) for k in fast)
    buffers_ms = median_ms(lambda: nested.encode_arrow(deep))
    values_ms = median_ms(lambda: nested.encode(values))
    print(f"{args.rows // 10:,} rows of benches/nested.seam (median of 5)")
    print(f"  encode(Python values)        {values_ms:8.1f} ms")
    print(f"  encode_arrow(Table)          {buffers_ms:8.1f} ms   {values_ms / buffers_ms:.1f}x faster")


if __name__ == "__main__":
    main()
