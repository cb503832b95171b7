"""What the three recipes share: the example dataset, loading a generated module by path, and
reading tensors back. The recipes themselves (`dask_recipe.py`, `spark_recipe.py`,
`ray_recipe.py`) are each what a team would paste into its own job."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import types

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = pathlib.Path(__file__).resolve().parent
SCHEMA = HERE / "trips.yaml"


def write_dataset(folder: pathlib.Path, rows: int, files: int, seed: int = 7) -> list[pathlib.Path]:
    """`files` Parquet parts of taxi trips (`part-00000.parquet`, …), with the gaps real data has:
    missing distances (the schema fills them) and a row id that is no input."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    fare = np.round(rng.lognormal(2.5, 0.6, rows), 2)
    distance = rng.gamma(2.0, 1.6, rows).astype(np.float32)
    gaps = rng.random(rows) < 0.02
    payment = rng.choice(np.array(["card", "cash", "app", "voucher", "unknown"]), rows, p=[0.55, 0.3, 0.1, 0.04, 0.01])
    zone = rng.zipf(1.3, rows) % 200
    hour = rng.integers(0, 24, rows, dtype=np.int32)
    tipped = rng.random(rows) < 0.4
    table = pa.table(
        {
            "trip_id": pa.array(np.arange(rows, dtype=np.int64)),
            "fare_amount": pa.array(fare),
            "trip_distance": pa.array(distance, mask=gaps),
            "payment_type": pa.array(payment.tolist(), type=pa.string()),
            "pickup_zone": pa.array(zone.astype(np.int64)),
            "pickup_hour": pa.array(hour),
            "tipped": pa.array(tipped),
        }
    )
    paths = []
    per = -(-rows // files)
    for i in range(files):
        path = folder / f"part-{i:05}.parquet"
        pq.write_table(table.slice(i * per, per), path)
        paths.append(path)
    return paths


def load_module(path: pathlib.Path) -> types.ModuleType:
    """A generated module from its file (`tensorseam gen python … -o path`), imported under its
    file's name so that engines can ship it to their workers by that name."""
    name = path.stem
    if name in sys.modules:
        return sys.modules[name]
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def read_tensors(module: types.ModuleType, folder: pathlib.Path, key: str | None = None) -> dict[str, np.ndarray]:
    """The tensors of a folder of Parquet parts written by a recipe (or by `tensorseam encode`), in
    part order — or sorted by the column `key` that a recipe carried beside the tensors."""
    parts = sorted(folder.glob("*.parquet"))
    table = pa.concat_tables([pq.read_table(p) for p in parts]) if parts else pq.read_table(folder)
    if key is not None:
        table = table.sort_by(key).drop_columns([key])
    tensors: dict[str, np.ndarray] = module.from_arrow(table)
    return tensors
