"""Property test: on randomly generated schemas (`schemagen`), the generated Python, the runtime's
dynamic path and — for the first `TENSORSEAM_PARITY_DERIVED` of them (default 12) — the derive agree
bit for bit on sampled valid records and error for error on sampled invalid ones.
`TENSORSEAM_PARITY_SCHEMAS` sets how many schemas (default 40), `TENSORSEAM_PARITY_SEED` the first
seed.

For the derive, the schemas are written under `target/probe-schemas/`, structs for them generated
with `tensorseam gen rust`, and the probe (`tests/probe`) rebuilt with those structs compiled in
(its `build.rs` includes the file `TENSORSEAM_PROBE_STRUCTS` names)."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess

import parity
import pytest
import schemagen

COUNT = int(os.environ.get("TENSORSEAM_PARITY_SCHEMAS", "40"))
FIRST = int(os.environ.get("TENSORSEAM_PARITY_SEED", "0"))
DERIVED = min(COUNT, int(os.environ.get("TENSORSEAM_PARITY_DERIVED", "12")))
SCHEMA_DIR = parity.ROOT / "target" / "probe-schemas"


def struct_fields(rust: str) -> list[tuple[str, str, str | None]] | None:
    """The fields of the struct `gen rust --serde` wrote, each with the column it reads (the Rust
    string literal of its `#[serde(rename = …)]`, or None), or None when a field needs a
    `#[tensorseam(rename)]`."""
    if "#[tensorseam(rename" in rust:
        return None
    fields: list[tuple[str, str, str | None]] = []
    column: str | None = None
    for line in rust.splitlines():
        renamed = re.fullmatch(r"    #\[serde\(rename = (\".*\")\)\]", line)
        if renamed:
            column = renamed.group(1)
            continue
        field = re.fullmatch(r"    pub (\w+): (.+),", line)
        if field:
            fields.append((field.group(1), field.group(2), column))
            column = None
    return fields


def struct_text(path: pathlib.Path, rel: str) -> str:
    """`gen rust --serde --training` for the schema. Where serde cannot hold it (two inputs reading
    one column), the plain struct with each column taken from the IR, written as its
    `#[serde(rename)]` would be."""
    done = subprocess.run([str(parity.CLI), "gen", "rust", str(path), "--serde", "--training", "--schema-path", rel], capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return done.stdout
    assert done.returncode == 1 and "both read column" in done.stderr, done.stderr
    columns = {i["name"]: i["column"] for i in json.loads(parity.run(parity.CLI, "gen", "ir", path))["inputs"] if "column" in i}
    lines = []
    for line in parity.run(parity.CLI, "gen", "rust", path, "--training", "--schema-path", rel).splitlines():
        field = re.fullmatch(r"    pub (\w+): (.+),", line)
        if field and field.group(1) in columns:
            lines.append(f"    #[serde(rename = {json.dumps(columns[field.group(1)], ensure_ascii=False)})]")
        lines.append(line)
    return "\n".join(lines)


@pytest.fixture(scope="module")
def derived() -> set[int]:
    """Builds the probe with derive structs for the first schemas; returns their seeds."""
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    blocks, arms, seeds = [], [], set()
    for seed in range(FIRST, FIRST + DERIVED):
        path = SCHEMA_DIR / f"generated{seed}.yaml"
        path.write_text(schemagen.text(seed), encoding="utf-8")
        rel = f"../target/probe-schemas/generated{seed}.yaml"
        fields = struct_fields(struct_text(path, rel))
        if not fields:
            continue
        body = ", ".join(f"{name}{'' if column is None else ' = ' + column}: {ty}" for name, ty, column in fields)
        blocks.append(f'record! {{\n    #[derive(ModelInput)]\n    #[tensorseam(schema = "{rel}")]\n    struct G{seed} {{ {body} }}\n}}\n')
        arms.append(f'        "generated{seed}" => Some(crate::derived(records, training, G{seed}::from_json)),\n')
        seeds.add(seed)
    source = "".join(blocks) + (
        "pub fn derive(stem: &str, records: &[serde_json::Value], training: bool) -> Option<serde_json::Value> {\n"
        "    match stem {\n" + "".join(arms) + "        _ => None,\n    }\n}\n"
    )
    structs = SCHEMA_DIR / "structs.rs"
    structs.write_text(source, encoding="utf-8")
    env = dict(os.environ, TENSORSEAM_PROBE_STRUCTS=str(structs))
    build = subprocess.run(
        ["cargo", "build", "-q", "-p", "tensorseam-probe"],
        cwd=parity.ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    return seeds


@pytest.mark.parametrize("seed", range(FIRST, FIRST + COUNT))
def test_generated_schema(seed: int, tmp_path: pathlib.Path, derived: set[int]) -> None:
    path = tmp_path / f"generated{seed}.yaml"
    path.write_text(schemagen.text(seed), encoding="utf-8")
    counts = parity.check(path, tmp_path, n=40, seed=seed, invalid=40)
    assert counts["batches"] >= 2, counts
    if seed in derived:
        # The derive was compared on the valid batches at least (records it can hold).
        assert counts["derive"] > 0, counts


def test_most_generated_schemas_reach_the_derive(derived: set[int]) -> None:
    assert len(derived) >= DERIVED * 3 // 4, sorted(derived)
