"""`pip install tensorseam` (SPEC §12): the wheel maturin builds from `compiler/cli`
(`bindings = "bin"`) installs the `tensorseam` command into a fresh virtual environment, where it
runs with no Rust toolchain on PATH: `build` writes every artifact and `gen python` a module the
trainer imports."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import subprocess
import sys
import zipfile

import numpy as np
import parity


def run(*args: object, env: dict[str, str] | None = None, cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False, env=env, cwd=cwd)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_wheel_installs_the_command(tmp_path: pathlib.Path) -> None:
    # The debug profile shares the test suite's build; a release wheel is the same command with
    # `--release`.
    wheels = tmp_path / "wheels"
    run(pathlib.Path(sys.executable).parent / "maturin", "build", "--profile", "dev", "--locked", "--out", wheels, cwd=parity.ROOT / "compiler" / "cli")
    (wheel,) = wheels.glob("tensorseam-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith(".data/scripts/tensorseam") for n in names), names
    assert (wheel.name.split("-")[2], wheel.name.split("-")[3]) == ("py3", "none"), "one wheel serves every Python 3"

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-index", "--disable-pip-version-check", wheel)
    command = venv / "bin" / "tensorseam"
    assert command.is_file()

    # No cargo, no rustc: only the venv and the system's own directories.
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1"}
    assert subprocess.run(["sh", "-c", "command -v cargo || command -v rustc"], env=env, capture_output=True, check=False).returncode != 0
    version = run("tensorseam", "--version", env=env).stdout
    assert version.startswith("tensorseam "), version

    schema = parity.ROOT / "schemas" / "penguins.yaml"
    out = tmp_path / "artifacts"
    run("tensorseam", "build", schema, "-o", out, env=env)
    built = sorted(p.name for p in out.iterdir())
    assert any(n.endswith(".py") for n in built) and any(n.endswith(".rs") for n in built), built

    module = tmp_path / "penguins_schema.py"
    run("tensorseam", "gen", "python", schema, "-o", module, env=env)
    spec = importlib.util.spec_from_file_location("penguins_from_wheel", module)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    record = {"island": "Biscoe", "bill_length_mm": 45.1, "bill_depth_mm": 14.5, "flipper_length_mm": 215, "body_mass_g": 5000, "sex": "female", "year": 2008}
    tensors = mod.encode([record])
    assert tensors["features"].dtype == np.float32 and tensors["features"].shape[0] == 1
    # The same command as the one the test suite built, byte for byte in what it writes.
    reference = tmp_path / "reference.py"
    run(parity.CLI, "gen", "python", schema, "-o", reference)
    assert module.read_bytes().replace(b"penguins_schema", b"") == reference.read_bytes().replace(b"reference", b"")
    assert os.access(command, os.X_OK)
