"""Compile time of `#[derive(ModelInput)]` as a schema grows: release and debug rebuilds of a crate
holding only the struct `tensorseam gen rust` writes, after a schema edit, for generated schemas of
250, 500, 1,000 and 2,000 inputs (four kinds cycling: standardized `f32` with a range, `one_hot`
over 4 strings, `index` over 5 integers with `oov`, `hash` into 97 buckets), all in one run.

    cargo build --release -p tensorseam-cli && .venv/bin/python benches/derive_compile.py

`--sizes 250,500` picks the sizes. The dependencies are built once before timing; each timing is
the rebuild that follows an edit of one parameter of the schema (what a user's CI pays per edit).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLI = ROOT / "target" / "release" / "tensorseam"


def schema(n: int, mean: float) -> str:
    lines = ["schema wide v1 {"]
    for i in range(n):
        kind = i % 4
        if kind == 0:
            lines.append(f"  input x{i}: f32 {{ range -1000 ..= 1000 scale standardize(mean: {mean}, std: 2.5) }}")
        elif kind == 1:
            lines.append(f'  input x{i}: str {{ encode one_hot("a", "b", "c", "d") }}')
        elif kind == 2:
            lines.append(f"  input x{i}: i64 {{ encode index(1, 2, 3, 5, 8; unknown: oov(3)) }}")
        else:
            lines.append(f"  input x{i}: str {{ encode hash(buckets: 97) }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def build(crate: pathlib.Path, target: pathlib.Path, release: bool) -> float:
    args = ["cargo", "build", "-q", "--offline"] + (["--release"] if release else [])
    start = time.perf_counter()
    subprocess.run(args, cwd=crate, check=True, env={**os.environ, "CARGO_TARGET_DIR": str(target)})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="250,500,1000,2000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="tensorseam-derive-compile-") as tmp:
        work = pathlib.Path(tmp)
        target = work / "target"
        rows = []
        for n in sizes:
            crate = work / f"wide{n}"
            (crate / "src").mkdir(parents=True)
            (crate / "Cargo.toml").write_text(
                f'[package]\nname = "wide{n}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
                f'[dependencies]\ntensorseam = {{ path = "{ROOT / "runtime"}" }}\n\n[workspace]\n'
            )
            (crate / "wide.seam").write_text(schema(n, 0.5))
            struct = subprocess.run(
                [str(CLI), "gen", "rust", "wide.seam", "-o", "src/lib.rs"], cwd=crate, capture_output=True, text=True, check=False
            )
            assert struct.returncode == 0, struct.stderr
            # Dependencies first, untimed; then an edit and the rebuild it costs.
            times = {}
            for release in (True, False):
                build(crate, target, release)
            for release in (True, False):
                (crate / "wide.seam").write_text(schema(n, 0.5 + (1.0 if release else 2.0)))
                times[release] = build(crate, target, release)
                # Leave the struct's schema as generated for the other profile's edit.
            rows.append((n, times[True], times[False]))
            print(f"{n:>5} inputs: release {times[True]:7.1f} s ({times[True] / n * 1000:.1f} ms/input), debug {times[False]:6.1f} s", flush=True)
        per = [r / n for n, r, _ in rows]
        print(f"release time per input, largest/smallest: {max(per) / min(per):.2f}x")


if __name__ == "__main__":
    main()
