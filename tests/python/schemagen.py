"""Random valid schemas for the parity property test: every dtype, shapes with fixed sizes and
named dims (max, min, truncation, padding to the longest), fills, ranges, every scaling step,
every encoding, concats, labels and weights, and category names that stress escaping. Written as
JSON, which is YAML."""

from __future__ import annotations

import json
import random
from typing import Any

INTS = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"]
COLUMNS = ["Weight (kg)", "Miles_per_Gallon", "HorsePower", "col with space", 'quote"d', "日本語", "a.b", "x-y", "back\\slash", "Temp\tMax", "#id", "0"]
NASTY = ['say "hi"', "back\\slash", "new\nline", '"""', "*/", "日本", "é", "x y", "tab\there", "{braces}", "'single'", "#hash", "a: b", "- dash", "null", "true", "0"]


def _categories(rng: random.Random, dtype: str, k: int) -> list[Any]:
    if dtype == "str":
        pool = NASTY + [f"c{i}" for i in range(40)]
        return rng.sample(pool, k)
    if dtype == "bool":
        return rng.sample([False, True], min(k, 2))
    lo = 0 if dtype.startswith("u") else -50
    return sorted(rng.sample(range(lo, lo + 100), k)) if rng.random() < 0.5 else rng.sample(range(lo, lo + 100), k)


def _steps(rng: random.Random, positive: bool) -> list[Any]:
    steps: list[Any] = []
    if positive and rng.random() < 0.3:
        steps.append("log1p")
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["standardize", "minmax", "affine", "divide", "clip"])
        if op == "standardize":
            steps.append({"standardize": {"mean": round(rng.uniform(-50, 50), rng.randint(0, 6)), "std": round(rng.uniform(0.1, 20), rng.randint(1, 6))}})
        elif op == "minmax":
            lo = round(rng.uniform(-100, 100), 3)
            steps.append({"minmax": {"min": lo, "max": lo + round(rng.uniform(0.5, 300), 3)}})
        elif op == "affine":
            steps.append({"affine": {"scale": round(rng.uniform(-3, 3), 5) or 1.5, "offset": round(rng.uniform(-10, 10), 4)}})
        elif op == "divide":
            steps.append({"divide": {"by": rng.choice([3, 7.5, -255, 0.1, 1e-3])}})
        else:
            lo = round(rng.uniform(-5, 0), 2)
            clip: dict[str, Any] = {}
            if rng.random() < 0.7:
                clip["min"] = lo
            if rng.random() < 0.7 or not clip:
                clip["max"] = lo + round(rng.uniform(1, 20), 2)
            steps.append({"clip": clip})
    return steps


def _columns(rng: random.Random, inputs: dict[str, Any]) -> None:
    """Data columns apart from input names (its own generator, so the schemas above stay as they
    were): some inputs read a named column, and a scalar float input may get a twin that reads
    the same column into bands (the precipitation scaled and bucketized)."""
    pool = list(COLUMNS)
    rng.shuffle(pool)
    for inp in inputs.values():
        if pool and rng.random() < 0.35:
            inp["column"] = pool.pop()
    floats = [n for n, i in inputs.items() if i["dtype"] in ("f32", "f64") and "shape" not in i]
    if floats and rng.random() < 0.4:
        first = rng.choice(floats)
        twin = {k: v for k, v in inputs[first].items() if k in ("dtype", "range", "missing")}
        twin["column"] = inputs[first].get("column", first)
        twin["encode"] = {"bucketize": {"boundaries": sorted(rng.sample(range(-30, 100), rng.randint(1, 4)))}}
        inputs[f"{first}_band"] = twin


def schema(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    dims: dict[str, Any] = {}
    for d in range(rng.randint(0, 2)):
        dim: dict[str, Any] = {}
        if rng.random() < 0.6:
            dim["max"] = rng.randint(2, 5)
            if rng.random() < 0.5:
                dim["truncate"] = rng.choice(["right", "left"])
        if rng.random() < 0.3:
            dim["min"] = 1
        dims[f"d{d}"] = dim
    inputs: dict[str, Any] = {}
    concat: list[str] = []
    for n in range(rng.randint(1, 7)):
        name = f"i{n}" if rng.random() < 0.8 else rng.choice(["class", "from", "type", "lambda", "match", "self", "def"]) + str(n)
        kind = rng.choice(["float", "float", "int", "str", "str", "bool"])
        shape: list[Any] = []
        roll = rng.random()
        if roll < 0.15:
            shape = [rng.randint(1, 3)]
        elif roll < 0.3 and dims:
            shape = [rng.choice(list(dims))]
            if rng.random() < 0.3:
                shape.append(rng.randint(1, 3))
        inp: dict[str, Any] = {}
        if kind == "float":
            inp["dtype"] = rng.choice(["f32", "f64"])
            positive = rng.random() < 0.4
            if positive:
                inp["range"] = [0, rng.choice([None, 1000.5])]
            elif rng.random() < 0.3:
                inp["range"] = [rng.choice([-1e6, -3.5, None]), rng.choice([1e6, 77.25])]
            if not shape and rng.random() < 0.4:
                inp["missing"] = {"fill": 0.5}
            if rng.random() < 0.8:
                inp["scale"] = _steps(rng, positive)
                if rng.random() < 0.3:
                    inp["out"] = "f64"
        elif kind == "int":
            dtype = rng.choice(INTS)
            inp["dtype"] = dtype
            if not shape and rng.random() < 0.3:
                inp["missing"] = {"fill": 3}
            if rng.random() < 0.3:
                inp["range"] = [0 if dtype.startswith("u") else -20, rng.choice([None, 90])]
            enc = rng.choice(["none", "scale", "index", "one_hot", "hash", "bucketize"])
            if enc == "scale":
                inp["scale"] = _steps(rng, False)
            elif enc in ("index", "one_hot"):
                cats = _categories(rng, dtype, rng.randint(1, 20))
                unknown: Any = rng.choice(["error", {"oov": rng.randint(1, 5)}]) if enc == "index" else rng.choice(["error", "ignore"])
                inp["encode"] = {enc: {"categories": cats, "unknown": unknown}}
            elif enc == "hash":
                inp["encode"] = {"hash": {"buckets": rng.choice([1, 7, 97, 100003])}}
            elif enc == "bucketize":
                inp["encode"] = {"bucketize": {"boundaries": sorted(rng.sample(range(-30, 100), rng.randint(1, 5)))}}
        elif kind == "bool":
            inp["dtype"] = "bool"
            if not shape and rng.random() < 0.3:
                inp["missing"] = {"fill": True}
            enc = rng.choice(["none", "one_hot", "index"])
            if enc != "none":
                inp["encode"] = {enc: {"categories": _categories(rng, "bool", 2)}}
        else:
            inp["dtype"] = "str"
            if rng.random() < 0.2:
                inp["charset"] = "ascii"
            if not shape and rng.random() < 0.3:
                inp["missing"] = {"fill": "c1"}
            enc = rng.choice(["index", "one_hot", "hash", "text", "multi_hot"])
            if enc == "text" and shape:
                enc = "index"
            if enc == "multi_hot":
                if not shape:
                    shape = [rng.choice(list(dims))] if dims and rng.random() < 0.5 else [rng.randint(1, 3)]
                inp.pop("missing", None)
                inp["encode"] = {"multi_hot": {"categories": _categories(rng, "str", rng.randint(1, 8)), "unknown": rng.choice(["error", "ignore"])}}
            elif enc == "text":
                inp["encode"] = {rng.choice(["bytes", "chars"]): {"max_len": rng.randint(1, 12), "truncate": rng.choice(["error", "right", "left"])}}
            elif enc == "hash":
                inp["encode"] = {"hash": {"buckets": rng.choice([2, 97, 4096])}}
            else:
                cats = _categories(rng, "str", rng.randint(1, 25))
                unknown = rng.choice(["error", {"oov": rng.randint(1, 3)}]) if enc == "index" else rng.choice(["error", "ignore"])
                inp["encode"] = {enc: {"categories": cats, "unknown": unknown}}
        if shape:
            inp["shape"] = shape
        # A fill must itself pass validation: make it a category where the encoding has them.
        encoding = next(iter(inp.get("encode", {}).values()), {})
        if "missing" in inp and isinstance(encoding.get("categories"), list):
            inp["missing"] = {"fill": encoding["categories"][0]}
            inp.pop("range", None)
        if "missing" in inp and "max_len" in encoding:
            inp["missing"] = {"fill": "c"}
        inputs[name] = inp
        scalar_f32 = not shape and (("scale" in inp and inp.get("out") != "f64") or ("one_hot" in inp.get("encode", {}) and "dtype" not in inp["encode"]["one_hot"]))
        if scalar_f32 and rng.random() < 0.6:
            concat.append(name)
    _columns(random.Random(seed * 7919 + 1), inputs)
    if rng.random() < 0.5:
        inputs["label"] = {"dtype": "str", "role": "label", "encode": {"index": {"categories": ["no", "yes"]}}}
    if rng.random() < 0.4:
        inputs["weight"] = {"dtype": "f32", "role": "weight", "range": [0, None], "missing": {"fill": 1}}
    doc: dict[str, Any] = {"tensorseam": 1, "name": f"generated{seed}", "version": 1 + seed % 5}
    if dims:
        doc["dims"] = dims
    doc["inputs"] = inputs
    if len(concat) >= 2:
        doc["tensors"] = {"joined": {"concat": concat}}
    return doc


def text(seed: int) -> str:
    return json.dumps(schema(seed), ensure_ascii=False, indent=1) + "\n"
