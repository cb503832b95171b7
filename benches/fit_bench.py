"""`tensorseam fit` on a generated CSV of at least 1 GB, beside `pandas.read_csv` + scikit-learn
`fit` (StandardScaler, MinMaxScaler, OneHotEncoder, OrdinalEncoder) on the same file, in one run,
with the peak memory (max RSS) of each. `fit` is also run on a quarter of the file: its memory must
not grow with the file.

Run from the repository root (the release binary is used):

    cargo build --release -p tensorseam-cli && .venv/bin/python benches/fit_bench.py [--gb 1.0]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLI = os.environ.get("TENSORSEAM_BIN", str(ROOT / "target" / "release" / "tensorseam"))

SCHEMA = """\
tensorseam: 1
name: workload_fit
version: 1
inputs:
""" + "".join(f"  x{i}: {{dtype: f64, scale: {{standardize: fit}}}}\n" for i in range(8)) + """\
  count: {dtype: i64, scale: {minmax: fit}}
  color: {dtype: str, encode: {one_hot: {categories: fit}}}
  region: {dtype: str, encode: {one_hot: {categories: fit}}}
  product: {dtype: str, encode: {index: {categories: fit}}}
"""

PANDAS = """
import resource, sys, time
import pandas as pd
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler
start = time.perf_counter()
df = pd.read_csv(sys.argv[1])
StandardScaler().fit(df[[f"x{i}" for i in range(8)]])
MinMaxScaler().fit(df[["count"]])
OneHotEncoder().fit(df[["color", "region"]])
OrdinalEncoder().fit(df[["product"]])
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_csv(path: pathlib.Path, gigabytes: float) -> int:
    """A deterministic CSV of the workload's columns: one block of rows generated with numpy,
    written as many times as it takes to reach the size. Returns the row count."""
    rng = np.random.default_rng(7)
    n = 1_000_000
    block = pd.DataFrame({f"x{i}": np.round(rng.normal(i * 10.0, i + 1.0, n), 4) for i in range(8)})
    block["count"] = rng.integers(0, 1001, n)
    for name, k in (("color", 5), ("region", 50), ("product", 1000)):
        block[name] = np.array([f"{name[0]}{j}" for j in range(k)], dtype=object)[rng.integers(0, k, n)]
    body = block.to_csv(index=False, header=False).encode()
    header = (",".join(block.columns) + "\n").encode()
    target = int(gigabytes * 1e9)
    rows = 0
    with path.open("wb") as f:
        f.write(header)
        written = len(header)
        while written < target:
            f.write(body)
            written += len(body)
            rows += n
    return rows


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of a command, by GNU time."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    return elapsed, int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gb", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp)
        schema = d / "workload.yaml"
        schema.write_text(SCHEMA)
        big, small = d / "big.csv", d / "small.csv"
        rows = write_csv(big, args.gb)
        small_rows = write_csv(small, args.gb / 4)
        size = big.stat().st_size
        print(f"data: {size / 1e9:.2f} GB, {rows:,} rows (and {small.stat().st_size / 1e9:.2f} GB, {small_rows:,} rows)")
        # Warm the page cache for both readers alike.
        big.read_bytes()
        t_fit, m_fit = timed([CLI, "fit", str(schema), "--data", str(big), "-o", str(d / "fitted.yaml")])
        _, m_fit_small = timed([CLI, "fit", str(schema), "--data", str(small), "-o", str(d / "fitted_small.yaml")])
        done = subprocess.run([sys.executable, "-c", PANDAS, str(big)], capture_output=True, text=True, check=True)
        t_pd, m_pd = done.stdout.split()
        t_pd_f, m_pd_k = float(t_pd), int(m_pd)
        print(f"  tensorseam fit                         {t_fit:7.2f} s   {size / 1e6 / t_fit:6.0f} MB/s   peak {m_fit / 1024:7.1f} MiB")
        print(f"  tensorseam fit, a quarter of the file            peak {m_fit_small / 1024:7.1f} MiB")
        print(f"  pandas.read_csv + scikit-learn fit     {t_pd_f:7.2f} s   {size / 1e6 / t_pd_f:6.0f} MB/s   peak {m_pd_k / 1024:7.1f} MiB")
        print(f"  fit is {t_pd_f / t_fit:.1f}x faster (goal >= 5), with {m_pd_k / m_fit:.0f}x less memory")


if __name__ == "__main__":
    main()
