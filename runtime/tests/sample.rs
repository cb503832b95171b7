//! `sample` against the dynamic path: every sampled record encodes; every `--invalid` record
//! produces exactly the one error it is tagged with, at its path.

use std::collections::BTreeSet;
use tensorseam::dynamic::Schema;
use tensorseam_compiler::sample;

const EVERYTHING: &str = include_str!("ui/schemas/everything.seam");

fn schemas() -> Vec<(String, Schema)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let mut out = vec![(
        "everything.seam".to_string(),
        Schema::from_text("everything.seam", EVERYTHING).expect("valid"),
    )];
    for entry in std::fs::read_dir(dir).expect("schemas/") {
        let path = entry.expect("entry").path();
        // Schemas with `fit` placeholders cannot encode until fitted.
        if let Ok(s) = Schema::load(&path) {
            out.push((
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                s,
            ));
        }
    }
    assert!(
        out.len() >= 5,
        "penguins and digits (both syntaxes) and the test schema"
    );
    out
}

#[test]
fn sampled_records_encode() {
    for (name, schema) in schemas() {
        for seed in 0..5 {
            let records = sample::records(schema.checked(), 50, seed);
            assert_eq!(records.len(), 50, "{name}");
            // Through JSONL text, as the CLI writes it (NaN and Infinity as bare tokens).
            let text: String = records
                .iter()
                .map(|r| sample::jsonl_line(r) + "\n")
                .collect();
            let parsed = Schema::read_jsonl(text.as_bytes()).expect("jsonl");
            if let Err(e) = schema.encode_training_json(&parsed) {
                panic!("{name} seed {seed}: sampled records must encode:\n{e}");
            }
        }
        assert_eq!(
            sample::records(schema.checked(), 5, 42),
            sample::records(schema.checked(), 5, 42),
            "deterministic"
        );
    }
}

#[test]
fn invalid_records_produce_exactly_their_tagged_error() {
    for (name, schema) in schemas() {
        let invalid = sample::invalid(schema.checked(), 200, 3);
        assert!(!invalid.is_empty(), "{name}");
        let mut codes = BTreeSet::new();
        for case in &invalid {
            let line = sample::jsonl_line(&case.to_value());
            let parsed = Schema::read_jsonl(line.as_bytes()).expect("jsonl");
            let record = parsed[0]["record"].clone();
            let errors = schema
                .encode_training_json(&[record])
                .expect_err(&format!("{name}: {line}"));
            // Inputs that read one column each report its bad value: one error per reader.
            let mut got: Vec<(&str, &str)> = errors
                .errors()
                .iter()
                .map(|e| (e.code.as_str(), e.path.as_str()))
                .collect();
            got.dedup();
            assert_eq!(got, vec![(case.code, case.path.as_str())], "{name}: {line}");
            codes.insert(case.code);
        }
        if name == "everything.seam" {
            let all: BTreeSet<&str> = [
                "missing",
                "wrong_type",
                "non_finite",
                "out_of_range",
                "unknown_category",
                "wrong_length",
                "dim_mismatch",
                "too_long",
                "not_ascii",
            ]
            .into();
            assert_eq!(
                codes, all,
                "every code but unknown_field (strict mode only) and missing_column (columnar sources)"
            );
        }
    }
}
