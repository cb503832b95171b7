"""`tensorseam check-model` (SPEC §13) on ONNX models built here with the `onnx` package: a model
that fits (exit 0), each way one can fail to fit (exit 1, each with its diagnostic at the schema
line), and files that are not models (exit 2); `stamp_onnx` writes the fingerprint the check
reads."""

from __future__ import annotations

import json
import pathlib
import subprocess
from typing import Any

import onnx
import parity
import pytest
from onnx import TensorProto, helper

PENGUINS = parity.ROOT / "schemas" / "penguins.yaml"
SEQUENCES = parity.ROOT / "runtime" / "tests" / "ui" / "schemas" / "sequences.seam"


def model(inputs: list[tuple[str, int, list[Any]]], weights: tuple[str, ...] = (), meta: dict[str, str] | None = None) -> onnx.ModelProto:
    """A model whose graph takes `inputs` (name, element type, shape: ints, names or None) and
    `weights` as initializers (graph inputs that are not model inputs)."""
    values = [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs]
    inits = [helper.make_tensor(w, TensorProto.FLOAT, [1], [0.5]) for w in weights]
    values += [helper.make_tensor_value_info(w, TensorProto.FLOAT, [1]) for w in weights]
    first = inputs[0][0]
    graph = helper.make_graph([helper.make_node("Identity", [first], ["out"])], "g", values, [helper.make_tensor_value_info("out", inputs[0][1], None)], initializer=inits)
    m = helper.make_model(graph, producer_name="tensorseam-test")
    for k, v in (meta or {}).items():
        entry = m.metadata_props.add()
        entry.key, entry.value = k, v
    return m


def check(schema: pathlib.Path, m: onnx.ModelProto | bytes, tmp: pathlib.Path, *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp / "model.onnx"
    path.write_bytes(m if isinstance(m, bytes) else m.SerializeToString())
    return subprocess.run([str(parity.CLI), "check-model", str(schema), str(path), *extra], capture_output=True, text=True, check=False)


def findings(schema: pathlib.Path, m: onnx.ModelProto, tmp: pathlib.Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    done = check(schema, m, tmp, "--format", "json", *extra)
    return done.returncode, json.loads(done.stdout)["findings"]


FITS = [("features", TensorProto.FLOAT, ["N", 10]), ("year", TensorProto.INT64, [None])]


def test_a_fitting_model_passes_even_stamped(tmp_path: pathlib.Path) -> None:
    done = check(PENGUINS, model(FITS, weights=("w",)), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "fits schema `penguins` v3 (2 inputs)" in done.stderr
    mod = parity.module(PENGUINS, tmp_path)
    stamped = mod.stamp_onnx(model(FITS))
    keys = {p.key: p.value for p in stamped.metadata_props}
    assert keys["tensorseam.fingerprint"] == mod.FINGERPRINT and keys["tensorseam.schema"] == "penguins"
    assert check(PENGUINS, stamped, tmp_path).returncode == 0
    # A file path is stamped in place; stamping twice keeps one stamp and other metadata.
    path = tmp_path / "m.onnx"
    onnx.save(model(FITS, meta={"author": "me"}), path)
    mod.stamp_onnx(path)
    mod.stamp_onnx(str(path))
    props = [(p.key, p.value) for p in onnx.load(path).metadata_props]
    assert props.count(("tensorseam.fingerprint", mod.FINGERPRINT)) == 1 and ("author", "me") in props


def test_a_model_without_a_schema_tensor_warns(tmp_path: pathlib.Path) -> None:
    code, found = findings(PENGUINS, model(FITS[:1]), tmp_path)
    assert code == 0
    assert [(f["severity"], f["code"], f["tensor"]) for f in found] == [("warning", "unused_tensor", "year")]


@pytest.mark.parametrize(
    ("inputs", "code", "words"),
    [
        ([("features", TensorProto.DOUBLE, ["N", 10]), FITS[1]], "wrong_type", "DOUBLE against FLOAT"),
        ([("features", TensorProto.FLOAT, ["N", 11]), FITS[1]], "wrong_axis", "axis 1 is 11 in the model and 10 in the schema"),
        ([("features", TensorProto.FLOAT, ["N", 10, 1]), FITS[1]], "wrong_rank", "rank 3 against 2"),
        ([("features", TensorProto.FLOAT, ["N", "width"]), FITS[1]], "symbolic_axis", "axis 1 is `width` in the model where the schema fixes it to 10"),
        ([("features", TensorProto.FLOAT, ["N", 10]), FITS[1], ("extra", TensorProto.FLOAT, ["N", 3])], "unknown_input", "model input `extra`"),
        ([("feature", TensorProto.FLOAT, ["N", 10]), FITS[1]], "unknown_input", "--map features=feature"),
        ([("features", TensorProto.FLOAT, [1, 10]), FITS[1]], "wrong_axis", "fixed to 1 in the model"),
    ],
    ids=["element-type", "fixed-width", "rank", "symbolic-where-fixed", "extra-input", "missing-input", "fixed-batch"],
)
def test_each_misfit_is_named(inputs: list[tuple[str, int, list[Any]]], code: str, words: str, tmp_path: pathlib.Path) -> None:
    status, found = findings(PENGUINS, model(inputs), tmp_path)
    assert status == 1
    errors = [f for f in found if f["severity"] == "error"]
    assert [f["code"] for f in errors] == [code], found
    assert words in errors[0]["message"] + (errors[0]["help"] or "")
    human = check(PENGUINS, model(inputs), tmp_path)
    assert human.returncode == 1 and f"error[{code}]" in human.stderr
    if errors[0]["tensor"] == "features":
        # The diagnostic points at the line declaring the tensor.
        line = PENGUINS.read_text().splitlines()[errors[0]["line"] - 1]
        assert "features" in line, line
        assert f"{PENGUINS}:{errors[0]['line']}:" in human.stderr


def test_map_names_a_model_input(tmp_path: pathlib.Path) -> None:
    m = model([("input", TensorProto.FLOAT, ["N", 10]), FITS[1]])
    assert check(PENGUINS, m, tmp_path).returncode == 1
    done = check(PENGUINS, m, tmp_path, "--map", "features=input")
    assert done.returncode == 0, done.stderr
    assert check(PENGUINS, m, tmp_path, "--map", "features").returncode == 2


def test_another_schemas_fingerprint_is_refused(tmp_path: pathlib.Path) -> None:
    stamped = model(FITS, meta={"tensorseam.fingerprint": "ab" * 32, "tensorseam.schema": "penguins", "tensorseam.version": "2"})
    status, found = findings(PENGUINS, stamped, tmp_path)
    assert status == 1 and [f["code"] for f in found] == ["other_schema"]
    assert "trained on schema `penguins` v2" in found[0]["message"]
    gh = check(PENGUINS, stamped, tmp_path, "--format", "github")
    assert gh.returncode == 1 and gh.stdout.startswith("::error file=") and "other_schema" in gh.stdout


def test_dims_axes_and_masks(tmp_path: pathlib.Path) -> None:
    """A dim with `max` is a fixed axis; a dim without `max` takes a symbolic axis but no fixed one."""
    base = [("x", TensorProto.FLOAT, ["N", 5, 2]), ("ids", TensorProto.INT64, ["N", "items"]), ("steps_mask", TensorProto.BOOL, ["N", 5])]
    status, found = findings(SEQUENCES, model(base), tmp_path)
    assert status == 0 and all(f["severity"] == "warning" for f in found)
    status, found = findings(SEQUENCES, model([base[0], ("ids", TensorProto.INT64, ["N", 7])]), tmp_path)
    assert status == 1 and [f["code"] for f in found if f["severity"] == "error"] == ["wrong_axis"]
    status, found = findings(SEQUENCES, model([("x", TensorProto.FLOAT, ["N", "steps", 2])]), tmp_path)
    assert status == 1 and [f["code"] for f in found if f["severity"] == "error"] == ["symbolic_axis"]


@pytest.mark.parametrize("bad", ["truncated", "text", "empty", "directory"])
def test_files_that_are_not_models(bad: str, tmp_path: pathlib.Path) -> None:
    whole = model(FITS, weights=("w",)).SerializeToString()
    if bad == "directory":
        (tmp_path / "dir.onnx").mkdir()
        done = subprocess.run([str(parity.CLI), "check-model", str(PENGUINS), str(tmp_path / "dir.onnx")], capture_output=True, text=True, check=False)
    else:
        data = {"truncated": whole[: len(whole) // 2], "text": b"this is not a model\n", "empty": b""}[bad]
        done = check(PENGUINS, data, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: "), done.stderr
    assert "panicked" not in done.stderr
