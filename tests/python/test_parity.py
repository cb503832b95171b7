"""Parity of the generated Python with the Rust runtime (dynamic path and derive) on the bundled
schemas and the test schemas the derive covers."""

from __future__ import annotations

import pathlib

import parity
import pytest

UI = parity.ROOT / "runtime" / "tests" / "ui" / "schemas"
# (schema, whether the probe derives a struct for it)
SCHEMAS = [
    (parity.ROOT / "schemas" / "penguins.seam", True),
    (parity.ROOT / "schemas" / "penguins.yaml", True),
    (parity.ROOT / "schemas" / "digits.seam", True),
    (parity.ROOT / "schemas" / "digits.yaml", True),
    (UI / "scalars.seam", True),
    (UI / "sequences.seam", True),
    (UI / "everything.seam", True),
    (UI / "all.seam", False),
    (UI / "keywords.seam", False),
    (parity.ROOT / "tests" / "python" / "schemas" / "hostile.yaml", False),
]


@pytest.mark.parametrize(("schema", "derived"), SCHEMAS, ids=lambda p: getattr(p, "name", str(p)))
def test_python_matches_rust(schema: pathlib.Path, derived: bool, tmp_path: pathlib.Path) -> None:
    counts = parity.check(schema, tmp_path)
    assert counts["batches"] >= 4 and counts["invalid"] > 0, counts
    # Where the probe has a struct, the derive must have been compared, not skipped.
    assert (counts["derive"] > 0) == derived, counts
