"""`tensorseam encode` on files, beside pyarrow reading the same files, all in one run (the goals
of BENCHMARKS.md's "The file data path"):

- the 1,000,000-row workload of BENCHMARKS.md as CSV, JSON Lines and Parquet;
- for each: `pyarrow.csv.read_csv` / `pyarrow.json.read_json` / `pyarrow.parquet.read_table` alone,
  the same read followed by the generated module's `encode_arrow`, and `tensorseam encode` to
  `.npz` (wall time and peak RSS of the process);
- peak RSS of `.parquet` and `--rows-per-file` output of a large generated input (`--big-gb`),
  and of a tenth of it: flat memory means the same peak.

Each time is the median of `--repeat` runs (default 3). Run from the repository root, after
`cargo build --release -p tensorseam-cli`:

    .venv/bin/python benches/data_path.py [--rows N] [--big-gb G]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benches"))
from python_encode import generated_module, workload

CLI = os.environ.get("TENSORSEAM_BIN", str(ROOT / "target" / "release" / "tensorseam"))
SCHEMA = ROOT / "runtime" / "benches" / "workload.seam"


def median(repeat: int, f: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def encode(data: pathlib.Path, out: pathlib.Path, *extra: str) -> tuple[float, float]:
    """`tensorseam encode` of `data`: (seconds, peak RSS in MiB), measured by /usr/bin/time."""
    t = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", CLI, "encode", str(SCHEMA), "--data", str(data), "-o", str(out), *extra], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"encode failed: {done.stderr}")
    rss_kib = int(done.stderr.strip().splitlines()[-1])
    return elapsed, rss_kib / 1024


def copy_floor(path: pathlib.Path, repeat: int) -> float:
    """Copying an existing file of the output's size and syncing it to disk: what any tool that
    writes this output durably pays, whatever it computes."""

    def copy() -> None:
        target = path.with_suffix(".copy")
        shutil.copyfile(path, target)
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        target.unlink()

    return median(repeat, copy)


def write_inputs(rows: int, folder: pathlib.Path) -> dict[str, pathlib.Path]:
    frame = workload(rows)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    paths = {"csv": folder / "w.csv", "jsonl": folder / "w.jsonl", "parquet": folder / "w.parquet"}
    pacsv.write_csv(table, paths["csv"])
    with paths["jsonl"].open("w") as f:
        for record in frame.to_dict("records"):
            f.write(json.dumps(record) + "\n")
    pq.write_table(table, paths["parquet"])
    return paths


def big_input(gb: float, folder: pathlib.Path) -> pathlib.Path:
    """A CSV of about `gb` gigabytes: the workload's 100,000-row text repeated."""
    block = folder / "block.csv"
    pacsv.write_csv(pa.Table.from_pandas(workload(100_000, seed=3), preserve_index=False), block)
    text = block.read_text()
    header, body = text.split("\n", 1)
    path = folder / f"big-{gb}.csv"
    with path.open("w") as f:
        f.write(header + "\n")
        written = 0
        while written < gb * 1e9:
            f.write(body)
            written += len(body)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big-gb", type=float, default=5.0)
    args = ap.parse_args()
    mod = generated_module()
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        paths = write_inputs(args.rows, folder)
        print(f"{args.rows:,} rows: CSV {paths['csv'].stat().st_size / 1e6:.0f} MB, JSONL {paths['jsonl'].stat().st_size / 1e6:.0f} MB, Parquet {paths['parquet'].stat().st_size / 1e6:.0f} MB (median of {args.repeat})")
        readers: dict[str, Callable[[], pa.Table]] = {
            "csv": lambda: pacsv.read_csv(paths["csv"]),
            "jsonl": lambda: pajson.read_json(paths["jsonl"]),
            "parquet": lambda: pq.read_table(paths["parquet"]),
        }
        print(f"  {'format':<8} {'pyarrow read':>13} {'read + encode_arrow':>20} {'tensorseam encode':>18} {'vs read':>8} {'peak RSS':>9}")
        for name, read in readers.items():
            read_t = median(args.repeat, read)
            both_t = median(args.repeat, lambda read=read: mod.encode_arrow(read()))
            runs = [encode(paths[name], folder / "out.npz") for _ in range(args.repeat)]
            enc_t = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            print(f"  {name:<8} {read_t:>12.2f}s {both_t:>19.2f}s {enc_t:>17.2f}s {enc_t / read_t:>7.2f}x {rss:>7.0f} MB")
        out = folder / "out.npz"
        floor = copy_floor(out, args.repeat)
        print(f"  output .npz: {out.stat().st_size / 1e6:.0f} MB; copying a file of its size and syncing it takes {floor:.2f}s (the floor of any durable write)")
        if args.big_gb > 0:
            big = big_input(args.big_gb, folder)
            tenth = big_input(args.big_gb / 10, folder)
            print(f"large input: {big.stat().st_size / 1e9:.1f} GB CSV (and a tenth of it)")
            for label, extra, target in (
                (".parquet", (), "big.parquet"),
                ("--rows-per-file 1000000 (.parquet parts)", ("--rows-per-file", "1000000", "--format", "parquet"), "parts"),
            ):
                t_big, rss_big = encode(big, folder / target, *extra)
                t_small, rss_small = encode(tenth, folder / ("small-" + target), *extra)
                print(f"  {label:<42} {t_big:>7.1f}s peak {rss_big:>6.0f} MB  (a tenth: {t_small:.1f}s, peak {rss_small:.0f} MB)")


if __name__ == "__main__":
    main()
