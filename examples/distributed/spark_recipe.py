"""tensorseam on PySpark: fit the schema's `fit` placeholders with `mapInArrow`, then encode a
Parquet dataset with the fitted schema — each Arrow batch encoded on an executor by the generated
module, bit for bit what `tensorseam encode` writes for the same rows.

    python examples/distributed/spark_recipe.py --data DIR --module trips_schema.py --out DIR

The module goes to the executors with `SparkContext.addPyFile`. Spark's hidden `_metadata`
column gives each row's file and row within it, so an invalid record fails the job naming both,
and the tensors are written beside the input's order: `OUT/<file>-<first row>.parquet`, in the
layout of `tensorseam encode -o x.parquet` (read them back with the module's `from_arrow`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pathlib
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

FILE, ROW = "_tensorseam_file", "_tensorseam_row"


def session(cores: int = 2) -> SparkSession:
    """Spark in local mode on `cores` cores, its Python workers on this interpreter."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    spark = SparkSession.builder.master(f"local[{cores}]").appName("tensorseam").config("spark.ui.enabled", "false").config("spark.sql.execution.arrow.maxRecordsPerBatch", "16384").getOrCreate()
    # The functions below run on the executors: they import this file there.
    spark.sparkContext.addPyFile(__file__)
    return spark


def read(spark: SparkSession, data: str) -> DataFrame:
    """A Parquet dataset, each row with its file and its row in that file."""
    return spark.read.parquet(data).select("*", F.col("_metadata.file_path").alias(FILE), F.col("_metadata.row_index").alias(ROW))


def runs(files: list[str]) -> Iterator[tuple[str, int, int]]:
    """Runs of consecutive rows from one file (a batch may span two)."""
    start = 0
    for i in range(1, len(files) + 1):
        if i == len(files) or files[i] != files[start]:
            yield files[start], start, i
            start = i


def shown(uri: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlparse(uri).path)


def stats_batches(module: str) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """`fit_stats` of every batch, as JSON."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        m = importlib.import_module(module)
        for batch in batches:
            stats = m.fit_stats(pa.Table.from_batches([batch]).drop_columns([FILE, ROW]))
            yield pa.RecordBatch.from_pydict({"stats": [json.dumps(stats)]})

    return run


def fit(spark: SparkSession, module: str, data: str) -> dict[str, Any]:
    """The statistics of the whole dataset: `fit_stats` per batch on the executors, merged with
    `merge_stats` on the driver."""
    m = importlib.import_module(module)
    rows = read(spark, data).mapInArrow(stats_batches(module), "stats string").collect()
    stats: dict[str, Any] | None = None
    for row in rows:
        part = json.loads(row["stats"])
        stats = part if stats is None else m.merge_stats(stats, part)
    if stats is None:
        raise ValueError(f"{data}: no rows")
    return stats


def encode_batches(module: str, out: str, training: bool) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Encodes each batch, file by file, into `out/<file>-<first row>.parquet`."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        m = importlib.import_module(module)
        for batch in batches:
            table = pa.Table.from_batches([batch])
            files = table.column(FILE).to_pylist()
            for file, start, stop in runs(files):
                part = table.slice(start, stop - start)
                rows = part.column(ROW).to_pylist()
                try:
                    tensors = m.encode_arrow(part.drop_columns([FILE, ROW]), training=training)
                except m.SchemaValidationError as e:
                    first = e.errors[0]
                    raise ValueError(f"{shown(file)}, row {rows[first.row]}: `{first.field}`: {first.message} [{first.code}] ({len(e.errors)} invalid values in this batch)") from None
                name = f"{out}/{pathlib.Path(shown(file)).stem}-{rows[0]:012}.parquet"
                pq.write_table(pa.Table.from_batches([m.to_arrow(tensors)]), name)
                yield pa.RecordBatch.from_pydict({"file": [name], "rows": [len(rows)]})

    return run


def encode(spark: SparkSession, module: str, data: str, out: pathlib.Path, training: bool = True) -> int:
    """Encodes the dataset into Parquet tensors in `out`; returns the rows."""
    out.mkdir(parents=True, exist_ok=True)
    done = read(spark, data).mapInArrow(encode_batches(module, str(out), training), "file string, rows long").collect()
    return sum(int(r["rows"]) for r in done)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=pathlib.Path, required=True, help="a directory of Parquet parts")
    ap.add_argument("--module", type=pathlib.Path, required=True, help="the generated module (tensorseam gen python)")
    ap.add_argument("--out", type=pathlib.Path, help="encode into this directory")
    ap.add_argument("--stats-out", type=pathlib.Path, help="fit: write the merged statistics here")
    args = ap.parse_args()
    spark = session()
    spark.sparkContext.addPyFile(str(args.module))
    sys.path.insert(0, str(args.module.parent))
    if args.stats_out:
        args.stats_out.write_text(json.dumps(fit(spark, args.module.stem, str(args.data))))
    if args.out:
        print(f"encoded {encode(spark, args.module.stem, str(args.data), args.out)} rows into {args.out}")
    spark.stop()


if __name__ == "__main__":
    main()
