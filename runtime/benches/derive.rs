//! `#[derive(ModelInput)]` on the 1,000,000-row workload of BENCHMARKS.md, from in-memory structs:
//! batches of 8,192 rows encoded into a reused batch (`encode_into`), beside (a) the memory floor —
//! a plain fill of the same preallocated output buffers, same batching — and (b) a fresh
//! `encode_batch` of all rows at once.
//!
//! (c) scikit-learn's `ColumnTransformer.transform` on the same rows runs in the same bench through
//! `benches/sklearn_baseline.py` (the project's `.venv` python, or `TENSORSEAM_PYTHON`).
//!
//! (d) The same rows as Arrow record batches of 8,192 rows, encoded through the runtime's columnar
//! path (`dynamic::Schema::encode_arrow`), beside the derive's batched time.
//!
//! Run: `cargo bench -p tensorseam --features columnar --bench derive` (`TENSORSEAM_BENCH_ROWS`
//! changes the row count).

use std::time::{Duration, Instant};
use tensorseam::{Batch, ModelInput, Tensor};

#[derive(ModelInput)]
#[tensorseam(schema = "benches/workload.seam")]
struct Row {
    x0: f64,
    x1: f64,
    x2: f64,
    x3: f64,
    x4: f64,
    x5: f64,
    x6: f64,
    x7: f64,
    count: i64,
    color: String,
    region: String,
    product: String,
}

const BATCH: usize = 8192;

fn rows() -> Vec<Row> {
    let n = std::env::var("TENSORSEAM_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|_| {
            let mut f = || (next() % 2_000_000) as f64 / 1000.0 - 1000.0;
            let xs = [f(), f(), f(), f(), f(), f(), f(), f()];
            Row {
                x0: xs[0],
                x1: xs[1],
                x2: xs[2],
                x3: xs[3],
                x4: xs[4],
                x5: xs[5],
                x6: xs[6],
                x7: xs[7],
                count: (next() % 1001) as i64,
                color: format!("c{}", next() % 5),
                region: format!("r{}", next() % 50),
                product: format!("p{}", next() % 1000),
            }
        })
        .collect()
}

/// (a) The floor: the same buffers, preallocated once, filled once per batch.
fn floor(rows: &[Row]) -> usize {
    let mut features = vec![0f32; BATCH * 64];
    let mut product = vec![0i64; BATCH];
    let mut n = 0;
    for chunk in rows.chunks(BATCH) {
        features[..chunk.len() * 64].fill(1.0);
        product[..chunk.len()].fill(1);
        n += chunk.len();
        divan::black_box((&features, &product));
    }
    n
}

/// Reference, not a goal: only reading what encoding must read — every number, and every string's
/// bytes (each `String` is its own heap allocation) — with no output at all.
fn read_input(rows: &[Row]) -> usize {
    let mut acc = 0u64;
    for r in rows {
        let xs = [r.x0, r.x1, r.x2, r.x3, r.x4, r.x5, r.x6, r.x7];
        acc = xs.iter().fold(acc, |a, x| a ^ x.to_bits());
        acc ^= r.count as u64;
        for s in [&r.color, &r.region, &r.product] {
            acc = s.bytes().fold(acc.rotate_left(5), |a, b| a ^ u64::from(b));
        }
    }
    divan::black_box(acc);
    rows.len()
}

/// The derive, in batches into one reused batch.
fn batched(rows: &[Row]) -> usize {
    let mut batch = Batch::new("", 0, "", Vec::new());
    let mut n = 0;
    for chunk in rows.chunks(BATCH) {
        Row::encode_into(chunk, &mut batch).expect("valid");
        n += batch.rows();
    }
    n
}

/// (b) All rows at once into a fresh batch.
fn all_at_once(rows: &[Row]) -> usize {
    let batch = Row::encode_batch(rows).expect("valid");
    match batch.get("features") {
        Some(Tensor::F32(f)) => f.shape()[0],
        _ => 0,
    }
}

fn median(rows: &[Row], f: impl Fn(&[Row]) -> usize) -> Duration {
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let t = Instant::now();
            divan::black_box(f(rows));
            t.elapsed()
        })
        .collect();
    times.sort();
    times[1]
}

/// The floor as the reference number used it: all rows at once into buffers already
/// faulted in (allocated and touched once, outside the timing).
fn floor_all_at_once(rows: &[Row], features: &mut [f32], product: &mut [i64]) -> usize {
    features.fill(1.0);
    product.fill(1);
    divan::black_box((&features, &product));
    rows.len()
}

/// (c) scikit-learn on the same rows, in milliseconds, or why it was not measured.
fn sklearn(rows: &[Row]) -> Result<f64, String> {
    use std::io::Write as _;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var("TENSORSEAM_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.join("../.venv/bin/python"));
    let csv = std::env::temp_dir().join(format!(
        "tensorseam-derive-bench-{}.csv",
        std::process::id()
    ));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).map_err(|e| e.to_string())?);
    writeln!(out, "x0,x1,x2,x3,x4,x5,x6,x7,count,color,region,product")
        .map_err(|e| e.to_string())?;
    for r in rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.x0, r.x1, r.x2, r.x3, r.x4, r.x5, r.x6, r.x7, r.count, r.color, r.region, r.product
        )
        .map_err(|e| e.to_string())?;
    }
    drop(out);
    // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, set on some machines for old OpenBLAS builds, slow a
    // current numpy: the baseline runs without them, so it is measured at its best.
    let done = std::process::Command::new(&python)
        .arg(dir.join("benches/sklearn_baseline.py"))
        .arg(&csv)
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output();
    let _ = std::fs::remove_file(&csv);
    let done = done.map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !done.status.success() {
        return Err(String::from_utf8_lossy(&done.stderr)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string());
    }
    String::from_utf8_lossy(&done.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("{e}"))
}

/// The rows as Arrow record batches of [`BATCH`] rows (built outside the timing).
fn record_batches(rows: &[Row]) -> Vec<arrow_array::RecordBatch> {
    use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
    use std::sync::Arc;
    rows.chunks(BATCH)
        .map(|chunk| {
            let x = |f: fn(&Row) -> f64| -> ArrayRef {
                Arc::new(Float64Array::from_iter_values(chunk.iter().map(f)))
            };
            let s = |f: fn(&Row) -> &str| -> ArrayRef {
                Arc::new(StringArray::from_iter_values(chunk.iter().map(f)))
            };
            arrow_array::RecordBatch::try_from_iter([
                ("x0", x(|r| r.x0)),
                ("x1", x(|r| r.x1)),
                ("x2", x(|r| r.x2)),
                ("x3", x(|r| r.x3)),
                ("x4", x(|r| r.x4)),
                ("x5", x(|r| r.x5)),
                ("x6", x(|r| r.x6)),
                ("x7", x(|r| r.x7)),
                (
                    "count",
                    Arc::new(Int64Array::from_iter_values(chunk.iter().map(|r| r.count)))
                        as ArrayRef,
                ),
                ("color", s(|r| &r.color)),
                ("region", s(|r| &r.region)),
                ("product", s(|r| &r.product)),
            ])
            .expect("record batch")
        })
        .collect()
}

/// (d) The columnar path over record batches, into one reused batch (as the derive's
/// `encode_into`).
fn arrow(schema: &tensorseam::dynamic::Schema, batches: &[arrow_array::RecordBatch]) -> usize {
    let opts = tensorseam::dynamic::EncodeOptions::default();
    let mut out = Batch::new("", 0, "", Vec::new());
    batches
        .iter()
        .map(|b| {
            schema.encode_arrow_into(b, &opts, &mut out).expect("valid");
            out.rows()
        })
        .sum()
}

fn main() {
    let rows = rows();
    // `TENSORSEAM_BENCH_PROFILE=arrow`: only the columnar path, repeated, for a clean profile.
    if std::env::var("TENSORSEAM_BENCH_PROFILE").as_deref() == Ok("arrow") {
        let schema = tensorseam::dynamic::Schema::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/workload.seam"
        ))
        .expect("workload schema");
        let batches = record_batches(&rows);
        for _ in 0..5 {
            divan::black_box(arrow(&schema, &batches));
        }
        return;
    }
    // `TENSORSEAM_BENCH_PROFILE=1`: only the batched derive, repeated, for a clean profile.
    if std::env::var_os("TENSORSEAM_BENCH_PROFILE").is_some() {
        let best = (0..20)
            .map(|_| {
                let t = Instant::now();
                divan::black_box(batched(&rows));
                t.elapsed()
            })
            .min()
            .unwrap_or_default();
        println!(
            "batched derive, best of 20: {:.1} ms",
            best.as_secs_f64() * 1e3
        );
        return;
    }
    let n = rows.len() as f64;
    let floor_t = median(&rows, floor);
    let read_t = median(&rows, read_input);
    let batched_t = median(&rows, batched);
    println!(
        "derive on {} rows, batches of {BATCH} (median of 3):",
        rows.len()
    );
    for (name, t) in [
        ("(a) floor: fill the preallocated buffers", floor_t),
        ("(ref) read the input only, no output", read_t),
        ("derive: encode_into a reused batch", batched_t),
        (
            "(b) derive: encode_batch, all rows at once",
            median(&rows, all_at_once),
        ),
    ] {
        println!(
            "  {name:<46} {:>8.1} ms  {:>12.0} rows/s  {:>7.2}x the floor",
            t.as_secs_f64() * 1e3,
            n / t.as_secs_f64(),
            t.as_secs_f64() / floor_t.as_secs_f64()
        );
    }
    // All rows at once into pre-faulted buffers: the floor, and `encode_into` a batch reused from a
    // warm-up run of the same size.
    let mut features = vec![0f32; rows.len() * 64];
    let mut product = vec![0i64; rows.len()];
    floor_all_at_once(&rows, &mut features, &mut product);
    let floor_all = {
        let mut times: Vec<Duration> = (0..3)
            .map(|_| {
                let t = Instant::now();
                floor_all_at_once(&rows, &mut features, &mut product);
                t.elapsed()
            })
            .collect();
        times.sort();
        times[1]
    };
    let mut warm = Batch::new("", 0, "", Vec::new());
    Row::encode_into(&rows, &mut warm).expect("valid");
    let reused_all = {
        let mut times: Vec<Duration> = (0..3)
            .map(|_| {
                let t = Instant::now();
                Row::encode_into(&rows, &mut warm).expect("valid");
                t.elapsed()
            })
            .collect();
        times.sort();
        times[1]
    };
    println!("  all rows at once into pre-faulted buffers:");
    for (name, t) in [
        ("(a') floor: fill pre-faulted buffers", floor_all),
        (
            "derive: encode_into a reused, pre-faulted batch",
            reused_all,
        ),
    ] {
        println!(
            "  {name:<46} {:>8.1} ms  {:>12.0} rows/s  {:>7.2}x that floor",
            t.as_secs_f64() * 1e3,
            n / t.as_secs_f64(),
            t.as_secs_f64() / floor_all.as_secs_f64()
        );
    }
    let schema = tensorseam::dynamic::Schema::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/workload.seam"
    ))
    .expect("workload schema");
    let batches = record_batches(&rows);
    let arrow_t = {
        let mut times: Vec<Duration> = (0..3)
            .map(|_| {
                let t = Instant::now();
                divan::black_box(arrow(&schema, &batches));
                t.elapsed()
            })
            .collect();
        times.sort();
        times[1]
    };
    println!(
        "  {:<46} {:>8.1} ms  {:>12.0} rows/s  {:.2}x the derive (batched)",
        "(d) Arrow record batches, columnar path",
        arrow_t.as_secs_f64() * 1e3,
        n / arrow_t.as_secs_f64(),
        arrow_t.as_secs_f64() / batched_t.as_secs_f64()
    );
    match sklearn(&rows) {
        Ok(ms) => println!(
            "  {:<46} {ms:>8.1} ms  {:>12.0} rows/s  derive (batched) is {:.1}x faster",
            "(c) scikit-learn ColumnTransformer.transform",
            n / (ms / 1e3),
            ms / (batched_t.as_secs_f64() * 1e3)
        ),
        Err(why) => println!("  (c) scikit-learn: not measured ({why})"),
    }
}
