//! The dynamic path on the synthetic workload of BENCHMARKS.md: 1,000,000 rows of 8 standardized
//! f64, 1 min-max i64, one-hot over 5 and over 50 string categories, and an index over 1,000
//! string categories. Measured: encoding from in-memory JSON values, from a JSONL file (read +
//! parse + encode), and the floor — merely parsing that JSONL with serde_json.
//!
//! Run: `cargo bench -p tensorseam --features dynamic --bench dynamic`
//! (`TENSORSEAM_BENCH_ROWS` changes the row count.)

use serde_json::Value;
use std::io::Write as _;
use std::time::{Duration, Instant};
use tensorseam::dynamic::Schema;

fn rows() -> usize {
    std::env::var("TENSORSEAM_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn schema_text() -> String {
    include_str!("workload.seam").to_string()
}

/// The workload as JSONL text; deterministic (xorshift).
fn jsonl(n: usize) -> String {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut out = String::with_capacity(n * 260);
    for _ in 0..n {
        out.push('{');
        for i in 0..8 {
            let v = (next() % 2_000_000) as f64 / 1000.0 - 1000.0;
            out.push_str(&format!("\"x{i}\": {v}, "));
        }
        out.push_str(&format!(
            "\"count\": {}, \"color\": \"c{}\", \"region\": \"r{}\", \"product\": \"p{}\"}}\n",
            next() % 1001,
            next() % 5,
            next() % 50,
            next() % 1000
        ));
    }
    out
}

struct Workload {
    schema: Schema,
    text: String,
    values: Vec<Value>,
    path: std::path::PathBuf,
}

fn workload() -> &'static Workload {
    static W: std::sync::OnceLock<Workload> = std::sync::OnceLock::new();
    W.get_or_init(|| {
        let schema = Schema::from_text("workload.seam", &schema_text()).expect("schema");
        let text = jsonl(rows());
        let values = Schema::read_jsonl(text.as_bytes()).expect("jsonl");
        let path =
            std::env::temp_dir().join(format!("tensorseam-bench-{}.jsonl", std::process::id()));
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .expect("write workload");
        Workload {
            schema,
            text,
            values,
            path,
        }
    })
}

fn parse_floor(w: &Workload) -> usize {
    let mut n = 0;
    for line in w.text.lines() {
        divan::black_box(serde_json::from_str::<Value>(line).expect("json"));
        n += 1;
    }
    n
}

fn from_values(w: &Workload) -> usize {
    w.schema.encode_json(&w.values).expect("valid").rows()
}

fn from_file(w: &Workload) -> usize {
    let f = std::io::BufReader::new(std::fs::File::open(&w.path).expect("open"));
    let values = Schema::read_jsonl(f).expect("jsonl");
    w.schema.encode_json(&values).expect("valid").rows()
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn parse_jsonl_serde_json_floor(b: divan::Bencher) {
    let w = workload();
    b.counter(divan::counter::ItemsCount::new(w.values.len()))
        .bench(|| parse_floor(w));
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn encode_in_memory_json_values(b: divan::Bencher) {
    let w = workload();
    b.counter(divan::counter::ItemsCount::new(w.values.len()))
        .bench(|| from_values(w));
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn encode_jsonl_file(b: divan::Bencher) {
    let w = workload();
    b.counter(divan::counter::ItemsCount::new(w.values.len()))
        .bench(|| from_file(w));
}

fn median(f: impl Fn() -> usize) -> Duration {
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let t = Instant::now();
            divan::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[1]
}

fn main() {
    divan::main();
    // The same three, side by side, as rows/s and ratios to the parse floor.
    let w = workload();
    let n = w.values.len() as f64;
    let floor = median(|| parse_floor(w));
    println!("\nsummary ({} rows, median of 3):", w.values.len());
    for (name, t) in [
        ("parse JSONL (serde_json floor)", floor),
        ("encode in-memory JSON values", median(|| from_values(w))),
        (
            "encode JSONL file (read+parse+encode)",
            median(|| from_file(w)),
        ),
    ] {
        println!(
            "  {name:<40} {:>8.1} ms  {:>12.0} rows/s  {:>5.2}x the parse floor",
            t.as_secs_f64() * 1e3,
            n / t.as_secs_f64(),
            t.as_secs_f64() / floor.as_secs_f64()
        );
    }
    let _ = std::fs::remove_file(&w.path);
}
