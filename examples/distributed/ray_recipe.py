"""tensorseam on Ray Data: fit the schema's `fit` placeholders, then encode a Parquet dataset with
the fitted schema, in `map_batches(batch_format="pyarrow")` tasks on the cluster — bit for bit what
`tensorseam encode` writes for the same rows.

    python examples/distributed/ray_recipe.py --data DIR --module trips_schema.py --out DIR

The dataset handed to `map_batches` is the list of files, one per batch: each task reads its file
in Arrow batches and so knows every record's row in its file — Ray Data's own Parquet reader
merges small files into one block and keeps no row numbers, and an invalid record must be named
by its file and row. The module travels to the workers in the job's `runtime_env`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pathlib
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import ray


def start(cpus: int = 2, modules: list[pathlib.Path] | None = None) -> None:
    """A local Ray with `cpus` CPUs; `modules` (generated modules, this file) importable on it."""
    folders = sorted({str(p.parent) for p in [pathlib.Path(__file__), *(modules or [])]})
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": {"PYTHONPATH": ":".join(folders)}})


def batches_of(path: str) -> Any:
    """A file's Arrow batches, each with the row of its first record."""
    row = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=16_384):
        yield row, batch
        row += batch.num_rows


class Stats:
    """`fit_stats` of each file (called per batch of file paths)."""

    def __init__(self, module: str) -> None:
        self.m = importlib.import_module(module)

    def __call__(self, files: pa.Table) -> pa.Table:
        out = []
        for path in files.column("path").to_pylist():
            stats = None
            for _, batch in batches_of(path):
                part = self.m.fit_stats(batch)
                stats = part if stats is None else self.m.merge_stats(stats, part)
            out.append(json.dumps(stats))
        return pa.table({"path": files.column("path"), "stats": out})


def fit(module: str, files: list[str]) -> dict[str, Any]:
    """The statistics of the whole dataset: per file on the workers, merged in file order."""
    m = importlib.import_module(module)
    rows = ray.data.from_items([{"path": f} for f in files]).map_batches(Stats, fn_constructor_args=(module,), batch_format="pyarrow", batch_size=1, concurrency=2).take_all()
    by_path = {r["path"]: json.loads(r["stats"]) for r in rows}
    stats: dict[str, Any] | None = None
    for f in files:
        stats = by_path[f] if stats is None else m.merge_stats(stats, by_path[f])
    if stats is None:
        raise ValueError("no files")
    return stats


class Encode:
    """Encodes each file into `out/<file>-<first row>.parquet` parts; an invalid record fails the
    task naming its file and row."""

    def __init__(self, module: str, out: str, training: bool) -> None:
        self.m = importlib.import_module(module)
        self.out, self.training = out, training

    def __call__(self, files: pa.Table) -> pa.Table:
        written, rows = [], []
        for path in files.column("path").to_pylist():
            for first, batch in batches_of(path):
                try:
                    tensors = self.m.encode_arrow(batch, training=self.training)
                except self.m.SchemaValidationError as e:
                    bad = e.errors[0]
                    raise ValueError(f"{path}, row {first + bad.row}: `{bad.field}`: {bad.message} [{bad.code}] ({len(e.errors)} invalid values in this batch)") from None
                name = f"{self.out}/{pathlib.Path(path).stem}-{first:012}.parquet"
                pq.write_table(pa.Table.from_batches([self.m.to_arrow(tensors)]), name)
                written.append(name)
                rows.append(batch.num_rows)
        return pa.table({"file": written, "rows": rows})


def encode(module: str, files: list[str], out: pathlib.Path, training: bool = True) -> int:
    """Encodes every file into Parquet tensors in `out`; returns the rows."""
    out.mkdir(parents=True, exist_ok=True)
    done = ray.data.from_items([{"path": f} for f in files]).map_batches(Encode, fn_constructor_args=(module, str(out), training), batch_format="pyarrow", batch_size=1, concurrency=2).take_all()
    return sum(int(r["rows"]) for r in done)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=pathlib.Path, required=True, help="a directory of Parquet parts")
    ap.add_argument("--module", type=pathlib.Path, required=True, help="the generated module (tensorseam gen python)")
    ap.add_argument("--out", type=pathlib.Path, help="encode into this directory")
    ap.add_argument("--stats-out", type=pathlib.Path, help="fit: write the merged statistics here")
    args = ap.parse_args()
    files = [str(p) for p in sorted(args.data.glob("*.parquet"))]
    start(modules=[args.module])
    if args.stats_out:
        args.stats_out.write_text(json.dumps(fit(args.module.stem, files)))
    if args.out:
        print(f"encoded {encode(args.module.stem, files, args.out)} rows into {args.out}")
    ray.shutdown()


if __name__ == "__main__":
    main()
