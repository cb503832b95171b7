"""Property test: on randomly generated schemas (`schemagen`), the generated Python and the
runtime's dynamic path agree bit for bit on sampled valid records and error for error on sampled
invalid ones. `TENSORSEAM_PARITY_SCHEMAS` sets how many schemas (default 40), and
`TENSORSEAM_PARITY_SEED` the first seed."""

from __future__ import annotations

import os
import pathlib

import parity
import pytest
import schemagen

COUNT = int(os.environ.get("TENSORSEAM_PARITY_SCHEMAS", "40"))
FIRST = int(os.environ.get("TENSORSEAM_PARITY_SEED", "0"))


@pytest.mark.parametrize("seed", range(FIRST, FIRST + COUNT))
def test_generated_schema(seed: int, tmp_path: pathlib.Path) -> None:
    path = tmp_path / f"generated{seed}.yaml"
    path.write_text(schemagen.text(seed), encoding="utf-8")
    counts = parity.check(path, tmp_path, n=40, seed=seed, invalid=40)
    assert counts["batches"] >= 2, counts
