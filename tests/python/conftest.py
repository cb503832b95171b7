"""Shared fixtures: the built `tensorseam` binary and the bundled schemas."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def tensorseam() -> pathlib.Path:
    binary = pathlib.Path(os.environ.get("TENSORSEAM_BIN", ROOT / "target" / "debug" / "tensorseam"))
    if not binary.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "tensorseam-cli"], cwd=ROOT, check=True)
    return binary


@pytest.fixture(scope="session")
def schemas() -> pathlib.Path:
    return ROOT / "schemas"
