"""Latency of the ONNX serving example (examples/onnx-serving): one-record `POST /predict`
requests, one after another on one keep-alive connection over loopback, and the share of each
request the server spends validating and encoding (its `server-timing` header).

    cargo build --release -p tensorseam-cli -p tensorseam-example-onnx-serving
    .venv/bin/python benches/serving_latency.py [--requests 10000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
RELEASE = ROOT / "target" / "release"


def timing(header: str) -> dict[str, float]:
    out = {}
    for part in header.split(","):
        name, _, dur = part.strip().partition(";dur=")
        out[name] = float(dur)
    return out


def percentile(xs: list[float], q: float) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10_000)
    args = ap.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp())
    module = folder / "penguins_schema.py"
    subprocess.run([str(RELEASE / "tensorseam"), "gen", "python", str(ROOT / "schemas" / "penguins.yaml"), "-o", str(module)], check=True)
    subprocess.run([sys.executable, str(ROOT / "examples" / "onnx-serving" / "train.py"), "--module", str(module), "--out", str(folder)], check=True, capture_output=True)
    records = [line for line in (folder / "records.jsonl").read_text().splitlines() if line]
    proc = subprocess.Popen([str(RELEASE / "tensorseam-example-onnx-serving"), str(folder / "model.onnx"), "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        host, port = proc.stdout.readline().strip().removeprefix("listening on http://").split(":")
        conn = http.client.HTTPConnection(host, int(port))
        latencies, encode, parse, model = [], [], [], []
        for i in range(args.requests + 200):
            body = records[i % len(records)].encode()
            t = time.perf_counter()
            conn.request("POST", "/predict", body=body, headers={"content-type": "application/json"})
            r = conn.getresponse()
            r.read()
            elapsed = (time.perf_counter() - t) * 1e3
            assert r.status == 200
            if i < 200:
                continue  # warm-up
            latencies.append(elapsed)
            parts = timing(r.getheader("server-timing") or "")
            parse.append(parts["parse"])
            encode.append(parts["encode"])
            model.append(parts["model"])
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        print(f"{args.requests:,} one-record requests over loopback, one keep-alive connection (after 200 warm-up):")
        print(f"  request latency (client)     p50 {p50 * 1e3:7.1f} µs   p99 {p99 * 1e3:7.1f} µs")
        print(f"  JSON → struct (server)       p50 {statistics.median(parse) * 1e3:7.1f} µs")
        print(f"  validate + encode (server)   p50 {statistics.median(encode) * 1e3:7.1f} µs   p99 {percentile(encode, 0.99) * 1e3:7.1f} µs")
        print(f"  model (tract, server)        p50 {statistics.median(model) * 1e3:7.1f} µs")
        share = statistics.median(encode) / p50
        print(f"  validation + encoding: {share * 100:.2f}% of the median request (goal: under 5%)")
        print(json.dumps({"p50_us": p50 * 1e3, "p99_us": p99 * 1e3, "encode_p50_us": statistics.median(encode) * 1e3, "share": share}))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
