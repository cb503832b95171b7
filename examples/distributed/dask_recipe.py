"""tensorseam on Dask: fit the schema's `fit` placeholders across a cluster, then encode a Parquet
dataset into Parquet tensors there — the schema's own preprocessing on every worker, bit for bit
what `tensorseam encode` writes for the same files.

    python examples/distributed/dask_recipe.py --data DIR --module trips_schema.py --out DIR

The generated module is shipped to the workers with `Client.upload_file`; each partition is one
file (`dask.dataframe.from_map`), so an invalid record is reported with its file and row.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pathlib
import sys
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, LocalCluster


def read_part(path: str) -> pd.DataFrame:
    """One Parquet file as one partition (strings stay Arrow-backed in pandas)."""
    return pq.read_table(path).to_pandas(types_mapper=pd.ArrowDtype)


def stats_of(part: pd.DataFrame, module: str, path: str) -> dict[str, Any]:
    """`fit_stats` of one partition, on a worker."""
    m = importlib.import_module(module)
    stats: dict[str, Any] = m.fit_stats(pa.Table.from_pandas(part, preserve_index=False))
    return stats


def fit(client: Client, module: str, files: list[str]) -> dict[str, Any]:
    """The statistics of the whole dataset: `fit_stats` mapped over the partitions, reduced with
    `merge_stats` (in file order, so a first invalid value's row counts across files)."""
    m = importlib.import_module(module)
    frame = dd.from_map(read_part, files)
    parts = [dask.delayed(stats_of)(p, module, f) for p, f in zip(frame.to_delayed(), files)]
    while len(parts) > 1:
        # A tree of merges, neighbours first: the order of the parts is kept.
        parts = [dask.delayed(m.merge_stats)(a, b) if b is not None else a for a, b in zip(parts[::2], parts[1::2] + [None])]
    (stats,) = dask.compute(parts[0])
    result: dict[str, Any] = stats
    return result


def encode_partition(part: pd.DataFrame, module: str, files: list[str], out: str, training: bool, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """Encodes one partition on a worker and writes its tensors as `out/part-NNNNN.parquet`; an
    invalid record fails the task naming its file and row."""
    m = importlib.import_module(module)
    number = partition_info["number"] if partition_info else 0
    try:
        tensors = m.encode_arrow(pa.Table.from_pandas(part, preserve_index=False), training=training)
    except m.SchemaValidationError as e:
        raise ValueError(f"{files[number]} (partition {number}): {e}") from None
    pq.write_table(pa.Table.from_batches([m.to_arrow(tensors)]), f"{out}/part-{number:05}.parquet")
    return pd.DataFrame({"part": [number], "rows": [len(part)]})


def encode(client: Client, module: str, files: list[str], out: pathlib.Path, training: bool = True) -> int:
    """Encodes every file into `out/part-NNNNN.parquet` (one per input file); returns the rows."""
    out.mkdir(parents=True, exist_ok=True)
    frame = dd.from_map(read_part, files)
    meta = pd.DataFrame({"part": pd.Series(dtype="int64"), "rows": pd.Series(dtype="int64")})
    done = frame.map_partitions(encode_partition, module, files, str(out), training, meta=meta).compute()
    return int(done["rows"].sum())


def cluster(workers: int = 2) -> Client:
    """A local cluster of worker processes (a real cluster's `Client(address)` works the same)."""
    return Client(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=pathlib.Path, required=True, help="a directory of Parquet parts")
    ap.add_argument("--module", type=pathlib.Path, required=True, help="the generated module (tensorseam gen python)")
    ap.add_argument("--out", type=pathlib.Path, help="encode into this directory")
    ap.add_argument("--stats-out", type=pathlib.Path, help="fit: write the merged statistics here")
    args = ap.parse_args()
    files = [str(p) for p in sorted(args.data.glob("*.parquet"))]
    with cluster() as client:
        client.upload_file(str(args.module))
        sys.path.insert(0, str(args.module.parent))
        if args.stats_out:
            args.stats_out.write_text(json.dumps(fit(client, args.module.stem, files)))
        if args.out:
            print(f"encoded {encode(client, args.module.stem, files, args.out)} rows into {args.out}")


if __name__ == "__main__":
    main()
