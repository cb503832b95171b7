//! `check` of a generated 5,000-input schema, in both syntaxes (goal: median under 100 ms), and of
//! one input with a million categories (goal: under 2 s).
//! Run: `cargo bench -p tensorseam-compiler --bench check`.

use tensorseam_compiler::{compile, emit, SourceFile};

fn main() {
    divan::main();
}

/// 5,000 inputs of every kind the checker treats differently, plus dims and a wide concat.
fn big_schema_yaml() -> String {
    let mut y = String::from(
        "tensorseam: 1\nname: big\nversion: 1\ndims:\n  seq: {max: 64}\n  items: {}\ninputs:\n",
    );
    let mut scaled = Vec::new();
    for i in 0..5000 {
        let body = match i % 8 {
            0 => {
                scaled.push(format!("x{i}"));
                "{dtype: f32, range: [0, 1000], missing: {fill: 1.5}, scale: {standardize: {mean: 43.92, std: 5.46}}}".to_string()
            }
            1 => "{dtype: f64, scale: [log1p, {minmax: {min: 0, max: 10}}], out: f64}".to_string(),
            2 => "{dtype: str, encode: {one_hot: {categories: [a, b, c, d, e], unknown: ignore}}}".to_string(),
            3 => "{dtype: i64, range: [0, 100], encode: {index: {categories: [1, 2, 3, 5, 8, 13], unknown: {oov: 3}}}}".to_string(),
            4 => "{dtype: str, shape: [items], encode: {hash: {buckets: 1024}}}".to_string(),
            5 => "{dtype: f32, shape: [seq, 4]}".to_string(),
            6 => "{dtype: str, charset: ascii, encode: {bytes: {max_len: 32, truncate: right}}}".to_string(),
            _ => "{dtype: u8, encode: {bucketize: {boundaries: [1, 10, 100]}}}".to_string(),
        };
        y.push_str(&format!("  x{i}: {body}\n"));
    }
    y.push_str(&format!(
        "tensors:\n  features: {{concat: [{}]}}\n",
        scaled.join(", ")
    ));
    y
}

#[divan::bench(sample_count = 30)]
fn check_yaml_5000_inputs(bencher: divan::Bencher) {
    let file = SourceFile::new("big.yaml", big_schema_yaml());
    bencher.bench(|| {
        let out = compile(divan::black_box(&file));
        assert!(out.checked.is_some());
        out
    });
}

#[divan::bench(sample_count = 30)]
fn check_seam_5000_inputs(bencher: divan::Bencher) {
    let yaml = compile(&SourceFile::new("big.yaml", big_schema_yaml()))
        .checked
        .expect("valid");
    let file = SourceFile::new("big.seam", emit::seam::write(yaml.schema()));
    bencher.bench(|| {
        let out = compile(divan::black_box(&file));
        assert!(out.checked.is_some());
        out
    });
}

/// One input with a million categories, in YAML (SPEC §10: a million categories check in
/// seconds; goal under 2 s).
fn million_categories_yaml() -> String {
    let mut y = String::from(
        "tensorseam: 1\nname: wide\nversion: 1\ninputs:\n  c:\n    dtype: str\n    encode: {index: {categories: [",
    );
    let names: Vec<String> = (0..1_000_000).map(|i| format!("c{i}")).collect();
    y.push_str(&names.join(", "));
    y.push_str("]}}\n");
    y
}

#[divan::bench(sample_count = 5)]
fn check_yaml_1m_categories(bencher: divan::Bencher) {
    let file = SourceFile::new("wide.yaml", million_categories_yaml());
    bencher.bench(|| {
        let out = compile(divan::black_box(&file));
        assert!(out.checked.is_some());
        out
    });
}
