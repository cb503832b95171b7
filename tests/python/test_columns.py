"""A real user's first day with the generated module (issue: columns, names and warnings): data
columns apart from input names, a missing column is never silently filled, a filled field absent
from every record is a warning, repeated errors read as one line, and the Rust runtime agrees."""

from __future__ import annotations

import csv
import pathlib
import subprocess
import types
import warnings

import numpy as np
import pandas as pd
import parity
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CARS = ROOT / "examples" / "data" / "cars.csv"
WEATHER = ROOT / "examples" / "data" / "weather.csv"


@pytest.fixture(scope="module")
def cars(tmp_path_factory: pytest.TempPathFactory) -> types.ModuleType:
    return parity.module(ROOT / "schemas" / "cars.yaml", tmp_path_factory.mktemp("cars"))


@pytest.fixture(scope="module")
def weather(tmp_path_factory: pytest.TempPathFactory) -> types.ModuleType:
    return parity.module(ROOT / "schemas" / "weather.seam", tmp_path_factory.mktemp("weather"))


def frame(path: pathlib.Path) -> pd.DataFrame:
    return pd.read_csv(path)


def records(path: pathlib.Path) -> list[dict[str, object]]:
    """CSV rows as JSON-like records: numbers as numbers, empty cells absent."""
    out = []
    with path.open() as f:
        for row in csv.DictReader(f):
            rec: dict[str, object] = {}
            for k, v in row.items():
                if v == "":
                    continue
                try:
                    rec[k] = int(v)
                except ValueError:
                    try:
                        rec[k] = float(v)
                    except ValueError:
                        rec[k] = v
            out.append(rec)
    return out


def test_a_data_frame_is_read_by_column_names(cars: types.ModuleType) -> None:
    df = frame(CARS)
    out = cars.encode(df, training=True)
    assert out["features"].shape == (len(df), 12)
    np.testing.assert_array_equal(out["mpg"], df["Miles_per_Gallon"].to_numpy(dtype=np.float32))
    # Records with the same column names: the same tensors.
    recs = cars.encode(records(CARS), training=True)
    for name in out:
        np.testing.assert_array_equal(out[name], recs[name])


def test_a_renamed_column_is_an_error_not_a_fill(cars: types.ModuleType) -> None:
    df = frame(CARS).rename(columns={"Horsepower": "hp"})
    with pytest.raises(cars.SchemaValidationError) as e:
        cars.encode(df)
    (err,) = e.value.errors
    assert (err.row, err.field, err.code) == (0, "Horsepower", "missing_column")
    assert "input `horsepower` reads column `Horsepower`, which the data does not have" in err.message
    assert 'allow_missing=["horsepower"]' in err.message
    assert str(e.value).startswith("1 missing column for schema `cars`")
    # A case change is suggested by name.
    with pytest.raises(cars.SchemaValidationError) as e:
        cars.encode(frame(CARS).rename(columns={"Horsepower": "horsepower"}))
    assert "did you mean `horsepower`?" in e.value.errors[0].message
    # Allowed explicitly, by input or by column name: every row gets the fill.
    for allow in (["horsepower"], ["Horsepower"]):
        out = cars.encode(df, allow_missing=allow)
        filled = (93.5 - 104.5) / 38.4
        np.testing.assert_array_equal(out["features"][:, 6], np.full(len(df), np.float32(filled)))
    with pytest.raises(TypeError, match="allow_missing"):
        cars.encode(df, allow_missing="horsepower")


def test_arrow_and_mappings_check_columns_too(cars: types.ModuleType) -> None:
    pa = pytest.importorskip("pyarrow")
    df = frame(CARS).drop(columns=["Origin"])
    with pytest.raises(cars.SchemaValidationError) as e:
        cars.encode_arrow(pa.Table.from_pandas(df))
    assert [x.code for x in e.value.errors] == ["missing_column"]
    columns = {c: df[c].tolist() for c in df.columns}
    with pytest.raises(cars.SchemaValidationError):
        cars.encode(columns)


def test_records_warn_of_a_filled_field_none_carries(cars: types.ModuleType) -> None:
    recs = records(CARS)
    for r in recs:
        r["horse_power"] = r.pop("Horsepower", None)
    with pytest.warns(UserWarning, match=r"input `horsepower` \(column `Horsepower`\) is absent from every record: every row gets its fill 93.5; did you mean `horse_power`\?"):
        cars.encode(recs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cars.encode(recs, allow_missing=["horsepower"])
        cars.encode(records(CARS))


def test_repeated_errors_read_as_one_line(cars: types.ModuleType) -> None:
    df = frame(CARS)
    df["Origin"] = "Mars"
    with pytest.raises(cars.SchemaValidationError) as e:
        cars.encode(df)
    assert len(e.value.errors) == len(df), "every error kept"
    lines = str(e.value).splitlines()
    assert len(lines) == 2, lines
    assert lines[1].startswith(f"  `Origin` in {len(df)} rows (0, 1, 2, 3, 4, …): ")
    assert '"Mars" is not one of the 3 categories: "Europe", "Japan", "USA"' in lines[1]


def test_two_inputs_read_one_column(weather: types.ModuleType) -> None:
    df = frame(WEATHER)
    out = weather.encode(df, training=True)
    # An f32 input: the raw value is rounded to f32, then widened for bucketize and scaling.
    rain = df["Precipitation (mm)"].to_numpy().astype(np.float32).astype(np.float64)
    np.testing.assert_array_equal(out["rain_band"], np.searchsorted([0.1, 2.5, 10.0], rain, side="right"))
    np.testing.assert_array_equal(out["features"][:, 0], ((rain - 3.03) / 6.68).astype(np.float32))
    assert out["weather"].dtype == np.int64


@pytest.mark.parametrize(("schema", "data"), [("cars.yaml", CARS), ("weather.seam", WEATHER)])
def test_rust_agrees_on_real_columns(schema: str, data: pathlib.Path, tensorseam: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """`tensorseam encode` of the CSV and the module over the same file: the same bits."""
    mod = parity.module(ROOT / "schemas" / schema, tmp_path)
    out = tmp_path / "batch.npz"
    subprocess.run([str(tensorseam), "encode", str(ROOT / "schemas" / schema), "--data", str(data), "-o", str(out), "--training"], check=True)
    rust = np.load(out)
    py = mod.encode(frame(data), training=True)
    assert sorted(f for f in rust.files if f != "__tensorseam__") == sorted(py)
    for name, array in py.items():
        assert rust[name].dtype == array.dtype, name
        np.testing.assert_array_equal(rust[name], array, err_msg=name)


def test_feature_names_say_what_each_column_is(cars: types.ModuleType) -> None:
    out = cars.encode(frame(CARS))
    names = cars.FEATURE_NAMES["features"]
    assert len(names) == out["features"].shape[1]
    assert names[:6] == ("cylinders=3", "cylinders=4", "cylinders=5", "cylinders=6", "cylinders=8", "displacement")
    assert names[9:] == ("origin=Europe", "origin=Japan", "origin=USA")
    # The one-hot column named `origin=USA` is 1 exactly where the data says USA.
    usa = names.index("origin=USA")
    np.testing.assert_array_equal(out["features"][:, usa] == 1.0, frame(CARS)["Origin"].to_numpy() == "USA")
