"""The recipes of examples/distributed on real engines (SPEC §12): a Dask `LocalCluster` of worker
processes, PySpark in local mode, Ray Data. Over 200,000 rows in 8 Parquet files each engine fits
the schema — equal to one `tensorseam fit` (categories and min/max exactly, mean/std to 1e-12) —
and encodes the dataset with the fitted schema into tensors bit-identical to `tensorseam encode`
of the same files; an invalid record on a worker surfaces with its file and row."""

from __future__ import annotations

import json
import math
import pathlib
import sys
from typing import Any

import numpy as np
import parity
import pyarrow.parquet as pq
import pytest

EXAMPLES = parity.ROOT / "examples" / "distributed"
sys.path.insert(0, str(EXAMPLES))
import common

ROWS, FILES = 200_000, 8


class Dataset:
    """The dataset, the source and fitted schemas, their modules, and the CLI's results."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self.data = root / "data"
        self.files = common.write_dataset(self.data, ROWS, FILES)
        self.source_module_path = root / "trips_source.py"
        parity.run(parity.CLI, "gen", "python", common.SCHEMA, "-o", self.source_module_path)
        self.source = common.load_module(self.source_module_path)
        # One machine: the statistics and the fitted schema.
        self.cli_stats = root / "cli-stats.json"
        parity.run(parity.CLI, "fit", common.SCHEMA, "--data", self.data, "--stats-out", self.cli_stats)
        self.fitted = root / "trips.fitted.yaml"
        parity.run(parity.CLI, "fit", common.SCHEMA, "--data", self.data, "-o", self.fitted)
        self.fitted_module_path = root / "trips_fitted.py"
        parity.run(parity.CLI, "gen", "python", self.fitted, "-o", self.fitted_module_path)
        self.module = common.load_module(self.fitted_module_path)
        self.cli_out = root / "cli.parquet"
        parity.run(parity.CLI, "encode", self.fitted, "--training", "--data", self.data, "-o", self.cli_out)
        self.cli_tensors: dict[str, np.ndarray] = self.module.from_arrow(pq.read_table(self.cli_out))

    def check_stats(self, stats: dict[str, Any]) -> None:
        """Statistics from an engine equal the CLI's over all the data; finished by the CLI they
        give the fitted schema."""
        want = json.loads(self.cli_stats.read_text())
        assert stats["rows"] == want["rows"] == ROWS
        for name, w in want["inputs"].items():
            g = stats["inputs"][name]
            assert (w["missing"], w["invalid"], w["taken"]) == (g["missing"], g["invalid"], g["taken"]), name
            if "moments" in w:
                for key in ("mean", "m2"):
                    assert math.isclose(w["moments"][key], g["moments"][key], rel_tol=1e-12), (name, key)
            if "extremes" in w:
                assert w["extremes"] == g["extremes"], name
            if "counts" in w:
                assert sorted(map(json.dumps, w["counts"])) == sorted(map(json.dumps, g["counts"])), name
        path = self.root / "engine-stats.json"
        path.write_text(json.dumps(stats))
        got = self.root / "engine.fitted.yaml"
        parity.run(parity.CLI, "fit", common.SCHEMA, "--stats", path, "-o", got)
        a = json.loads(parity.run(parity.CLI, "gen", "ir", self.fitted))
        b = json.loads(parity.run(parity.CLI, "gen", "ir", got))
        for x, y in zip(a["inputs"], b["inputs"]):
            assert json.dumps(x["encode"], sort_keys=True) == json.dumps(y["encode"], sort_keys=True), x["name"]
            for p, q in zip(x["scale"] or [], y["scale"] or []):
                if isinstance(p, dict) and "standardize" in p:
                    for key in ("mean", "std"):
                        assert math.isclose(p["standardize"][key], q["standardize"][key], rel_tol=1e-12), (x["name"], key)
                else:
                    assert p == q, x["name"]

    def check_tensors(self, got: dict[str, np.ndarray]) -> None:
        """An engine's tensors are the CLI's, bit for bit."""
        assert list(got) == list(self.cli_tensors)
        for name, want in self.cli_tensors.items():
            assert got[name].dtype == want.dtype and got[name].shape == want.shape, name
            assert got[name].tobytes() == want.tobytes(), name

    def with_invalid_record(self, folder: pathlib.Path) -> tuple[list[pathlib.Path], str]:
        """The dataset with one bad fare in file 5 at row 123: the copy, and what an error must name."""
        folder.mkdir()
        paths = []
        for f in self.files:
            table = pq.read_table(f)
            if f.name == "part-00005.parquet":
                fares = table.column("fare_amount").to_pylist()
                fares[123] = -4.0
                table = table.set_column(table.schema.get_field_index("fare_amount"), "fare_amount", [fares])
            pq.write_table(table, folder / f.name)
            paths.append(folder / f.name)
        return paths, "part-00005.parquet"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return Dataset(tmp_path_factory.mktemp("distributed"))


def test_dask(dataset: Dataset, tmp_path: pathlib.Path) -> None:
    import dask_recipe

    with dask_recipe.cluster(workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        for path in (dataset.source_module_path, dataset.fitted_module_path):
            client.upload_file(str(path))
        files = [str(f) for f in dataset.files]
        dataset.check_stats(dask_recipe.fit(client, dataset.source.__name__, files))
        out = tmp_path / "tensors"
        assert dask_recipe.encode(client, dataset.module.__name__, files, out) == ROWS
        assert len(list(out.glob("*.parquet"))) == FILES
        dataset.check_tensors(common.read_tensors(dataset.module, out))
        bad, name = dataset.with_invalid_record(tmp_path / "bad")
        with pytest.raises(Exception, match=rf"(?s){name} \(partition 5\).*row 123") as caught:
            dask_recipe.encode(client, dataset.module.__name__, [str(p) for p in bad], tmp_path / "bad-out")
        assert "out_of_range" in str(caught.value)


def test_spark(dataset: Dataset, tmp_path: pathlib.Path) -> None:
    import spark_recipe

    spark = spark_recipe.session(cores=2)
    try:
        assert spark.sparkContext.master == "local[2]"
        for path in (dataset.source_module_path, dataset.fitted_module_path):
            spark.sparkContext.addPyFile(str(path))
        dataset.check_stats(spark_recipe.fit(spark, dataset.source.__name__, str(dataset.data)))
        out = tmp_path / "tensors"
        assert spark_recipe.encode(spark, dataset.module.__name__, str(dataset.data), out) == ROWS
        dataset.check_tensors(common.read_tensors(dataset.module, out))
        bad, name = dataset.with_invalid_record(tmp_path / "bad")
        with pytest.raises(Exception, match=rf"{name}, row 123: `fare_amount`: .*out_of_range"):
            spark_recipe.encode(spark, dataset.module.__name__, str(bad[0].parent), tmp_path / "bad-out")
    finally:
        spark.stop()


def test_ray(dataset: Dataset, tmp_path: pathlib.Path) -> None:
    import ray
    import ray_recipe

    ray_recipe.start(cpus=2, modules=[dataset.source_module_path, dataset.fitted_module_path])
    try:
        files = [str(f) for f in dataset.files]
        dataset.check_stats(ray_recipe.fit(dataset.source.__name__, files))
        out = tmp_path / "tensors"
        assert ray_recipe.encode(dataset.module.__name__, files, out) == ROWS
        dataset.check_tensors(common.read_tensors(dataset.module, out))
        bad, name = dataset.with_invalid_record(tmp_path / "bad")
        with pytest.raises(Exception, match=rf"{name}, row 123: `fare_amount`: .*out_of_range"):
            ray_recipe.encode(dataset.module.__name__, [str(p) for p in bad], tmp_path / "bad-out")
    finally:
        ray.shutdown()
