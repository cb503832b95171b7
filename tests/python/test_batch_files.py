"""Batch files cross the language boundary: what `tensorseam encode` writes loads with numpy, and
what numpy writes is checked by `tensorseam verify`."""

import json
import pathlib
import subprocess

import numpy as np

PENGUINS = [
    {"bill_length_mm": 39.1, "bill_depth_mm": 18.7, "flipper_length_mm": 181, "body_mass_g": 3750,
     "island": "Torgersen", "sex": "male", "year": 2007, "species": "Adelie"},
    {"bill_length_mm": float("nan"), "bill_depth_mm": 17.4, "flipper_length_mm": 186, "body_mass_g": 3800,
     "island": "Dream", "sex": None, "year": 2011, "species": "Gentoo"},
]


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)


def write_jsonl(path: pathlib.Path, records: list[dict]) -> None:
    # json.dumps writes NaN as the bare token NaN, which the JSONL reader accepts.
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_encode_writes_an_npz_numpy_loads(tmp_path, tensorseam, schemas):
    data = tmp_path / "p.jsonl"
    write_jsonl(data, PENGUINS)
    out = tmp_path / "p.npz"
    done = run(tensorseam, "encode", schemas / "penguins.yaml", "--data", data, "-o", out, "--training")
    assert done.returncode == 0, done.stderr
    z = np.load(out, allow_pickle=False)
    assert list(z.keys()) == ["features", "year", "species", "__tensorseam__"]
    assert z["features"].dtype == np.float32 and z["features"].shape == (2, 10)
    assert z["year"].dtype == np.int64 and z["species"].dtype == np.int64
    meta = json.loads(str(z["__tensorseam__"]))
    ir = json.loads(run(tensorseam, "gen", "ir", schemas / "penguins.yaml").stdout)
    assert meta == {"schema": "penguins", "version": 3, "fingerprint": ir["fingerprint"]}
    # Row 1: NaN bill length takes the fill 44.0 -> standardized; sex None -> fill "unknown" (one-hot
    # position 2); year 2011 is out of the categories -> oov position 3 + hash mod 2.
    bill = np.float32((np.float64(np.float32(44.0)) - 43.92) / 5.46)
    assert z["features"][1, 0] == bill
    assert list(z["features"][1, 7:10]) == [0.0, 0.0, 1.0]
    assert z["species"].tolist() == [0, 2]
    assert z["year"][0] == 0 and z["year"][1] in (3, 4)


def test_encode_writes_safetensors(tmp_path, tensorseam, schemas):
    data = tmp_path / "p.jsonl"
    write_jsonl(data, PENGUINS)
    out = tmp_path / "p.safetensors"
    assert run(tensorseam, "encode", schemas / "penguins.seam", "--data", data, "-o", out).returncode == 0
    raw = out.read_bytes()
    header_len = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + header_len])
    assert header["features"]["dtype"] == "F32" and header["features"]["shape"] == [2, 10]
    assert "species" not in header, "labels only with --training"
    assert json.loads(header["__metadata__"]["__tensorseam__"])["schema"] == "penguins"


def test_invalid_records_write_nothing(tmp_path, tensorseam, schemas):
    data = tmp_path / "bad.jsonl"
    write_jsonl(data, [dict(PENGUINS[0], island="Mars", bill_length_mm=float("inf"))])
    out = tmp_path / "bad.npz"
    done = run(tensorseam, "encode", schemas / "penguins.yaml", "--data", data, "-o", out)
    assert done.returncode == 1
    assert "row 0, `bill_length_mm`: non_finite" in done.stderr
    assert "row 0, `island`: unknown_category" in done.stderr
    assert not out.exists()
    (tmp_path / "junk.jsonl").write_text("{not json\n")
    assert run(tensorseam, "encode", schemas / "penguins.yaml", "--data", tmp_path / "junk.jsonl", "-o", out).returncode == 2


def fingerprint(tensorseam, schema) -> str:
    return json.loads(run(tensorseam, "gen", "ir", schema).stdout)["fingerprint"]


def test_verify_checks_an_npz_numpy_wrote(tmp_path, tensorseam, schemas):
    meta = np.array(json.dumps({"schema": "digits", "version": 2, "fingerprint": fingerprint(tensorseam, schemas / "digits.yaml")}))
    good = tmp_path / "good.npz"
    np.savez(good, pixels=np.zeros((32, 28, 28), np.float32), brightness=np.zeros(32, np.float32),
             has_border=np.zeros(32, bool), tilt_deg=np.zeros(32, np.int8), stroke_count=np.zeros(32, np.int64),
             __tensorseam__=meta)
    done = run(tensorseam, "verify", schemas / "digits.yaml", good)
    assert done.returncode == 0, done.stdout + done.stderr

    bad = tmp_path / "bad.npz"
    np.savez_compressed(bad, pixels=np.zeros((32, 28, 28), np.float64), brightness=np.zeros(31, np.float32),
                        tilt_deg=np.asfortranarray(np.zeros(32, np.int8)), stroke_count=np.zeros(32, np.int64),
                        __tensorseam__=meta)
    done = run(tensorseam, "verify", schemas / "digits.yaml", bad)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "tensor `pixels`: expected f32 [batch, 28, 28], found f64 [32, 28, 28]" in lines
    assert "tensor `brightness`: expected f32 [batch], found f32 [31] (batch size 32 in `pixels`)" in lines
    assert "tensor `has_border`: expected bool [batch], not in the file" in lines

    stale = tmp_path / "stale.npz"
    np.savez(stale, pixels=np.zeros((1, 28, 28), np.float32), brightness=np.zeros(1, np.float32),
             has_border=np.zeros(1, bool), tilt_deg=np.zeros(1, np.int8), stroke_count=np.zeros(1, np.int64),
             __tensorseam__=np.array('{"schema": "digits", "version": 1, "fingerprint": "00"}'))
    done = run(tensorseam, "verify", schemas / "digits.seam", stale)
    assert done.returncode == 1
    assert done.stdout.startswith("fingerprint: expected ")
    assert len(done.stdout.splitlines()) == 1, done.stdout


def test_verify_reads_fortran_order(tmp_path, tensorseam, schemas):
    meta = np.array(json.dumps({"schema": "digits", "version": 2, "fingerprint": fingerprint(tensorseam, schemas / "digits.yaml")}))
    pixels = np.asfortranarray(np.arange(2 * 28 * 28, dtype=np.float32).reshape(2, 28, 28))
    path = tmp_path / "f.npz"
    np.savez(path, pixels=pixels, brightness=np.zeros(2, np.float32), has_border=np.zeros(2, bool),
             tilt_deg=np.zeros(2, np.int8), stroke_count=np.zeros(2, np.int64), __tensorseam__=meta)
    done = run(tensorseam, "verify", schemas / "digits.yaml", path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_module_saves_batches_verify_accepts(tmp_path, tensorseam, schemas):
    """`save(tensors, path)` writes what `tensorseam encode` writes for the same records: the same
    tensors, bit for bit, and the metadata `verify` checks; the safetensors library reads it."""
    import importlib.util

    import pytest
    from safetensors.numpy import load_file

    module = tmp_path / "penguins_schema.py"
    assert run(tensorseam, "gen", "python", schemas / "penguins.yaml", "-o", module).returncode == 0
    spec = importlib.util.spec_from_file_location("penguins_saved", module)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    tensors = mod.encode(PENGUINS, training=True)
    data = tmp_path / "p.jsonl"
    write_jsonl(data, PENGUINS)
    for suffix in ("npz", "safetensors"):
        saved = tmp_path / f"saved.{suffix}"
        mod.save(tensors, saved)
        done = run(tensorseam, "verify", schemas / "penguins.seam", saved)
        assert done.returncode == 0, done.stdout + done.stderr
        rust = tmp_path / f"rust.{suffix}"
        assert run(tensorseam, "encode", schemas / "penguins.yaml", "--data", data, "-o", rust, "--training").returncode == 0
        if suffix == "safetensors":
            ours, theirs = load_file(str(saved)), load_file(str(rust))
        else:
            ours, theirs = dict(np.load(saved, allow_pickle=False)), dict(np.load(rust, allow_pickle=False))
        assert sorted(ours) == sorted(theirs)
        for name, array in theirs.items():
            assert ours[name].dtype == array.dtype and ours[name].tobytes() == array.tobytes(), name
    # Another schema's verify says the fingerprint differs; a wrong tensor is refused up front.
    assert run(tensorseam, "verify", schemas / "digits.yaml", tmp_path / "saved.npz").returncode == 1
    with pytest.raises(ValueError, match="tensor `features` is float64"):
        mod.save({**tensors, "features": tensors["features"].astype(np.float64)}, tmp_path / "bad.npz")
    with pytest.raises(ValueError, match="has no tensor `extra`"):
        mod.save({**tensors, "extra": tensors["year"]}, tmp_path / "bad.npz")
    with pytest.raises(ValueError, match=r"\*\.npz"):
        mod.save(tensors, tmp_path / "bad.pt")
    assert not (tmp_path / "bad.npz").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
