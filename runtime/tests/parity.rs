//! Parity: `sample` records — valid and `--invalid` — encoded by the derive and by the dynamic path
//! give bit-identical tensors and identical error codes, rows and paths. Records a typed struct
//! cannot hold (a string in an `f32` field) are the derive's compile-time guarantee, not a run-time
//! case, and are skipped.

mod common;

use common::records::{Digit, Everything, Penguin, Scalars, Sequences};
use serde_json::Value;
use tensorseam::dynamic::Schema;
use tensorseam::{Batch, ModelInput, ValidationErrors};
use tensorseam_compiler::sample;

fn outcome(
    r: Result<Batch, ValidationErrors>,
) -> Result<Batch, Vec<(usize, String, &'static str)>> {
    r.map_err(|e| {
        e.errors()
            .iter()
            .map(|e| (e.row, e.path.clone(), e.code.as_str()))
            .collect()
    })
}

/// Compares the two paths on sampled records; returns how many records were compared.
fn check<T: ModelInput>(
    schema_path: &str,
    fast: bool,
    from_json: impl Fn(&Value) -> Option<T>,
) -> (usize, usize) {
    let dynamic = Schema::load(schema_path).expect("schema");
    let valid = sample::records(dynamic.checked(), 200, 11);
    let text: String = valid.iter().map(|r| sample::jsonl_line(r) + "\n").collect();
    let values = Schema::read_jsonl(text.as_bytes()).expect("jsonl");
    let typed: Vec<T> = values.iter().filter_map(&from_json).collect();
    let kept: Vec<Value> = values
        .iter()
        .filter(|v| from_json(v).is_some())
        .cloned()
        .collect();
    assert!(
        typed.len() * 2 >= values.len(),
        "{schema_path}: most sampled records fit the struct ({} of {})",
        typed.len(),
        values.len()
    );
    for training in [false, true] {
        let (d, t) = if training {
            (
                dynamic.encode_training_json(&kept),
                T::encode_training_batch(&typed),
            )
        } else {
            (dynamic.encode_json(&kept), T::encode_batch(&typed))
        };
        let (d, t) = (outcome(d), outcome(t));
        assert!(
            d.is_ok(),
            "{schema_path}: sampled records are valid: {:?}",
            d.err()
        );
        // The derive's fast path covers scalar schemas: it must be the path that ran.
        assert_eq!(
            T::fast(&typed, training, None).is_ok(),
            fast,
            "{schema_path}: fast path taken"
        );
        assert_eq!(
            d, t,
            "{schema_path}: derive and dynamic path differ (training: {training})"
        );
    }
    // A batch reused for other rows of the same size gives what a fresh batch gives: nothing of
    // the earlier rows survives (the fast path skips zeroing tensors it writes whole).
    let h = typed.len() / 2;
    let mut reused = T::encode_batch(&typed[..h]).expect("valid");
    T::encode_into(&typed[h..2 * h], &mut reused).expect("valid");
    let fresh = T::encode_batch(&typed[h..2 * h]).expect("valid");
    assert_eq!(
        reused.tensors(),
        fresh.tensors(),
        "{schema_path}: encode_into a reused batch"
    );
    // Invalid records, one at a time, where the struct can hold them.
    let mut compared = 0;
    for case in sample::invalid(dynamic.checked(), 300, 5) {
        let line = sample::jsonl_line(&case.to_value());
        let parsed = Schema::read_jsonl(line.as_bytes()).expect("jsonl");
        let record = &parsed[0]["record"];
        let Some(row) = from_json(record) else {
            continue;
        };
        let d = outcome(dynamic.encode_training_json(std::slice::from_ref(record)));
        let t = outcome(T::encode_training_batch(&[row]));
        assert!(d.is_err(), "{schema_path}: {line}");
        assert_eq!(d, t, "{schema_path}: {line}");
        compared += 1;
    }
    (typed.len(), compared)
}

#[test]
fn derive_and_dynamic_path_agree() {
    let root = env!("CARGO_MANIFEST_DIR");
    let (valid, invalid) = check(
        &format!("{root}/../schemas/penguins.yaml"),
        true,
        Penguin::from_json,
    );
    assert!(
        valid >= 150 && invalid >= 10,
        "penguins: {valid} valid, {invalid} invalid compared"
    );
    let (valid, invalid) = check(
        &format!("{root}/../schemas/digits.seam"),
        true,
        Digit::from_json,
    );
    assert!(
        valid >= 150 && invalid >= 5,
        "digits: {valid} valid, {invalid} invalid compared"
    );
    let (valid, invalid) = check(
        &format!("{root}/tests/ui/schemas/everything.seam"),
        true,
        Everything::from_json,
    );
    assert!(
        valid >= 100 && invalid >= 50,
        "everything: {valid} valid, {invalid} invalid compared"
    );
    let (valid, invalid) = check(
        &format!("{root}/tests/ui/schemas/scalars.seam"),
        true,
        Scalars::from_json,
    );
    assert!(
        valid >= 150 && invalid >= 50,
        "scalars: {valid} valid, {invalid} invalid compared"
    );
    let (valid, invalid) = check(
        &format!("{root}/tests/ui/schemas/sequences.seam"),
        true,
        Sequences::from_json,
    );
    assert!(
        valid >= 150 && invalid >= 20,
        "sequences: {valid} valid, {invalid} invalid compared"
    );
}
