#!/usr/bin/env bash
# The whole test suite — what `.ci/run` calls and what a new user runs. It installs what it needs
# (cargo-nextest if missing) and fails on the first red gate: formatting, lints, tests, doc tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# The manifest's dev profile (line tables only) for the projects trybuild generates too, which
# read no profile of ours: full debug info there took 2.4 GB of disk.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only

if ! cargo nextest --version >/dev/null 2>&1; then
  step "installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "python environment (.venv)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

step "doc tests"
cargo test --workspace --doc --locked

step "generated Python: mypy --strict and ruff on the golden modules"
.venv/bin/python -m mypy --strict --no-incremental compiler/tests/golden/python
.venv/bin/python -m ruff check --no-cache compiler/tests/golden/python tests/python examples benches runtime/benches

step "python tests (batch files, parity with the Rust runtime and derive, scikit-learn oracle)"
# One build for the binaries the Python tests run and the Rust tests below: selecting the tests
# here resolves features exactly as `cargo nextest run` does, so every crate is compiled once.
cargo build --workspace --bins --tests --locked -q
.venv/bin/python -m pytest -q tests/python

# Last, so its summary closes the run.
step "tests"
cargo nextest run --workspace --locked --no-fail-fast
