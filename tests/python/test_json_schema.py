"""`gen json-schema`: every bundled schema's JSON Schema is valid 2020-12; every `sample` record
validates against it; every `sample --invalid` record whose rule JSON Schema can express fails it."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import parity
import pytest
from jsonschema import Draft202012Validator

SCHEMAS = sorted(p for p in (parity.ROOT / "schemas").iterdir() if p.suffix in (".yaml", ".seam"))
TEST_SCHEMAS = [parity.ROOT / "runtime" / "tests" / "ui" / "schemas" / n for n in ("scalars.seam", "sequences.seam", "everything.seam")]
# Rules JSON Schema states: a record breaking one of these must fail the JSON Schema.
EXPRESSIBLE = {"missing", "wrong_type", "out_of_range", "unknown_category", "wrong_length", "too_long", "not_ascii"}


def schema_for(path: pathlib.Path, training: bool) -> dict[str, Any]:
    args = [parity.CLI, "gen", "json-schema", path] + (["--training"] if training else [])
    return json.loads(parity.run(*args))


@pytest.mark.parametrize("path", SCHEMAS + TEST_SCHEMAS, ids=lambda p: p.name)
def test_json_schema_matches_validation(path: pathlib.Path) -> None:
    schema = schema_for(path, training=True)
    Draft202012Validator.check_schema(schema)
    Draft202012Validator.check_schema(schema_for(path, training=False))
    validator = Draft202012Validator(schema)
    try:
        valid = [json.loads(line) for line in parity.sample(path, 60, 3)]
    except AssertionError as e:
        # A schema with `fit` placeholders has no records yet: `sample` says so.
        assert "fit" in str(e), e
        return
    for record in valid:
        errors = list(validator.iter_errors(record))
        assert not errors, f"{path.name}: valid record rejected: {errors[0].message}\n{record}"
    # Records are keyed by column (an input's name unless the schema names its column).
    inputs = {i.get("column", i["name"]): i for i in json.loads(parity.run(parity.CLI, "gen", "ir", path))["inputs"]}
    checked = 0
    for line in parity.sample(path, 200, 4, invalid=True):
        case = json.loads(line)
        code, name = case["expect"]["code"], case["expect"]["path"].split("[")[0]
        if code not in EXPRESSIBLE:
            continue
        encode = inputs[name]["encode"] or {}
        if code == "too_long" and "bytes" in encode and inputs[name]["charset"] != "ascii":
            assert "UTF-8 bytes" in schema["$comment"]  # named as not expressible
            continue
        assert not validator.is_valid(case["record"]), f"{path.name}: accepted {case}"
        checked += 1
    assert checked > 0
