"""Parity of the generated Python with the Rust runtime (dynamic path and derive) on the bundled
schemas and the test schemas the derive covers."""

from __future__ import annotations

import pathlib

import pytest

import parity

FITTED = [
    parity.ROOT / "schemas" / "penguins.seam",
    parity.ROOT / "schemas" / "penguins.yaml",
    parity.ROOT / "schemas" / "digits.seam",
    parity.ROOT / "runtime" / "tests" / "ui" / "schemas" / "scalars.seam",
    parity.ROOT / "runtime" / "tests" / "ui" / "schemas" / "sequences.seam",
    parity.ROOT / "runtime" / "tests" / "ui" / "schemas" / "everything.seam",
]


@pytest.mark.parametrize("schema", FITTED, ids=lambda p: p.name)
def test_python_matches_rust(schema: pathlib.Path, tmp_path: pathlib.Path) -> None:
    counts = parity.check(schema, tmp_path)
    assert counts["batches"] >= 4 and counts["invalid"] > 0, counts
    # The derive covers these schemas: it must have been compared, not skipped.
    assert counts["derive"] > 0, counts
