"""The generated module on Arrow data and distributed `fit` (SPEC §12), one run, side by side, on
the 1,000,000-row workload of BENCHMARKS.md as a pyarrow Table:

- `encode_arrow(table)` beside `encode(DataFrame)` of the same rows (goal: no slower);
- `fit_stats` of 8 partitions + `merge_stats` beside one `fit_stats` of the whole (goal: ≤ 1.5×),
  on the workload's schema with every parameter left to `fit`.

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

import pyarrow as pa

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benches"))
from python_encode import generated_module, median_ms, workload


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


if __name__ == "__main__":
    main()
