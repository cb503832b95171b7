"""Distributed `fit` (SPEC §12): the generated module's `fit_stats` over partitions, reduced with
`merge_stats`, gives the statistics `tensorseam fit --stats-out` writes over all the data (counts,
categories and min/max exactly, mean and m2 to 1e-12 relative), and `tensorseam fit --stats` turns
them into the schema one `fit` over the data writes."""

from __future__ import annotations

import functools
import json
import math
import pathlib
import random
from typing import Any

import pandas as pd
import parity
import pyarrow as pa
import pytest
from test_fit import SCHEMA, close, frame, run

# Every kind of fitted statistic, shaped inputs, a prefix step, ranges, charset, fills, bool and
# integer categories.
WIDE = """\
schema wide v3 {
  dim steps max 4
  input a: f32 { range 0 ..= 100 scale log1p |> standardize(fit) }
  input b: i64 from "B col" { scale minmax(fit) }
  input c: str { charset ascii encode one_hot(fit(order: frequency, min_frequency: 2); unknown: ignore) }
  input d: i32 { missing fill(-1) encode index(fit(max_categories: 3); unknown: oov(1)) }
  input e: bool { encode one_hot(fit) }
  input s: f64[steps] { scale standardize(fit) }
  input t: str[steps] { encode multi_hot(fit; unknown: ignore) }
}
"""


def records(n: int, seed: int) -> list[dict[str, Any]]:
    """Rows with missing and invalid values mixed in (a few per cent), as real data has."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        r: dict[str, Any] = {
            "a": rng.choice([rng.uniform(0, 100), rng.uniform(0, 100), rng.uniform(0, 100), None, 150.0, "x"][: 3 + (rng.random() < 0.05) * 3]),
            "B col": rng.randint(-500, 500),
            "c": rng.choice(["red", "green", "blue", "rare", "grün"] if rng.random() < 0.02 else ["red", "green", "blue"]),
            "d": rng.choice([1, 2, 3, 4, 5, None]),
            "e": rng.random() < 0.3,
            "s": [rng.gauss(5, 2) for _ in range(rng.randint(1, 4))],
            "t": [rng.choice(["p", "q", "r"]) for _ in range(rng.randint(1, 4))],
        }
        if rng.random() < 0.01:
            r["B col"] = 1.5
        out.append(r)
    return out


def same_stats(want: dict[str, Any], got: dict[str, Any]) -> None:
    assert want["rows"] == got["rows"] and want["fingerprint"] == got["fingerprint"]
    assert set(want["inputs"]) == set(got["inputs"])
    for name, w in want["inputs"].items():
        g = got["inputs"][name]
        for key in ("missing", "invalid", "taken"):
            assert w[key] == g[key], (name, key, w[key], g[key])
        assert (w["first_invalid"] is None) == (g["first_invalid"] is None), name
        if w["first_invalid"] is not None:
            assert w["first_invalid"][0] == g["first_invalid"][0], name
            assert w["first_invalid"][1].split(":")[0] == g["first_invalid"][1].split(":")[0], name
        if "moments" in w:
            m, n = w["moments"], g["moments"]
            assert m["count"] == n["count"], name
            assert close(m["mean"], n["mean"]) and close(m["m2"], n["m2"]), (name, m, n)
        if "extremes" in w:
            assert w["extremes"] == g["extremes"], name
        if "counts" in w:
            assert {json.dumps(k): c for k, c in w["counts"]} == {json.dumps(k): c for k, c in g["counts"]}, name
            assert w["dropped"] == g["dropped"], name


def rust_stats(schema: pathlib.Path, data: pathlib.Path, tmp: pathlib.Path) -> dict[str, Any]:
    out = tmp / "rust-stats.json"
    done = run(parity.CLI, "fit", schema, "--data", data, "--stats-out", out, "--max-skip-fraction", "1")
    assert done.returncode == 0, done.stderr
    return dict(json.loads(out.read_text()))


@pytest.mark.parametrize("form", ["records", "columns", "arrow", "pandas"])
def test_fit_stats_equals_the_cli_and_merges_to_the_whole(form: str, tmp_path: pathlib.Path) -> None:
    schema = tmp_path / "wide.seam"
    schema.write_text(WIDE, encoding="utf-8")
    mod = parity.module(schema, tmp_path)
    rows = records(4000, seed=5)
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    want = rust_stats(schema, data, tmp_path)
    assert want["inputs"]["a"]["invalid"] > 0 and want["inputs"]["a"]["missing"] > 0

    def shaped(part: list[dict[str, Any]]) -> Any:
        if form == "records":
            return part
        cols = {k: [r.get(k) for r in part] for k in part[0]}
        if form == "columns":
            return cols
        return pd.DataFrame(cols)

    if form == "arrow":
        # Arrow holds one type per column: text among the numbers of `a` becomes a null, and
        # `B col` a float column (integral floats are integers; 1.5 stays invalid).
        table = pa.Table.from_pylist([{**r, "a": None if isinstance(r["a"], str) else r["a"], "B col": float(r["B col"])} for r in rows])
        arrow_data = tmp_path / "rows.parquet"
        import pyarrow.parquet as pq

        pq.write_table(table, arrow_data)
        want = rust_stats(schema, arrow_data, tmp_path)
        whole = mod.fit_stats(table)
        parts = [mod.fit_stats(table.slice(at, 500)) for at in range(0, len(rows), 500)]
    else:
        whole = mod.fit_stats(shaped(rows))
        parts = [mod.fit_stats(shaped(rows[at : at + 500])) for at in range(0, len(rows), 500)]
    same_stats(want, whole)
    assert len(parts) == 8
    # Any grouping of the reduction gives the same statistics.
    same_stats(want, functools.reduce(mod.merge_stats, parts))
    same_stats(want, mod.merge_stats(functools.reduce(mod.merge_stats, parts[:3]), functools.reduce(mod.merge_stats, parts[3:])))
    json.dumps(whole, allow_nan=False)


def test_python_statistics_finish_with_the_cli(tmp_path: pathlib.Path) -> None:
    """Partitions fitted in Python, merged, written as JSON and finished by `tensorseam fit --stats`
    give the schema `tensorseam fit --data` gives over the same rows (penguins)."""
    schema = tmp_path / "schema.yaml"
    schema.write_text(SCHEMA, encoding="utf-8")
    mod = parity.module(schema, tmp_path)
    df = frame()
    csv = tmp_path / "p.csv"
    df.to_csv(csv, index=False)
    want = tmp_path / "want.yaml"
    assert run(parity.CLI, "fit", schema, "--data", csv, "-o", want).returncode == 0
    table = pa.Table.from_pandas(df, preserve_index=False)
    stats = functools.reduce(mod.merge_stats, [mod.fit_stats(table.slice(at, 50)) for at in range(0, len(df), 50)])
    files = []
    for i, part in enumerate([stats]):
        f = tmp_path / f"stats-{i}.json"
        f.write_text(json.dumps(part))
        files.append(f)
    got = tmp_path / "got.yaml"
    done = run(parity.CLI, "fit", schema, "--stats", *files, "-o", got)
    assert done.returncode == 0, done.stderr
    a = json.loads(parity.run(parity.CLI, "gen", "ir", want))
    b = json.loads(parity.run(parity.CLI, "gen", "ir", got))
    for x, y in zip(a["inputs"], b["inputs"]):
        assert json.dumps(x["encode"], sort_keys=True) == json.dumps(y["encode"], sort_keys=True), x["name"]
        for p, q in zip(x["scale"] or [], y["scale"] or []):
            if isinstance(p, dict) and "standardize" in p:
                assert close(p["standardize"]["mean"], q["standardize"]["mean"]) and close(p["standardize"]["std"], q["standardize"]["std"])
            else:
                assert p == q


def test_merge_refuses_another_schema(tmp_path: pathlib.Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text(SCHEMA, encoding="utf-8")
    mod = parity.module(schema, tmp_path)
    a = mod.fit_stats(frame().head(10))
    b = dict(a, fingerprint="0" * 64, schema="other")
    with pytest.raises(ValueError, match="fit every part with the same schema"):
        mod.merge_stats(a, b)
    assert not math.isnan(a["inputs"]["bill_length_mm"]["moments"]["mean"])
