//! `diff` classification: every example of SPEC §8's table and the review issue's list, each an
//! edit of one base schema, with the class it must get, the path it must name, and — for every case —
//! golden files of the Markdown and JSON outputs (`compiler/tests/golden/diff/`, `BLESS=1` rewrites).

mod common;

use std::path::Path;
use tensorseam_compiler::diff::{compare, render, Class, Review, Verdict};
use tensorseam_compiler::{compile_bytes, Checked};

const BASE: &str = r#"schema shop v1 {
  doc "A base schema for review tests."
  dim events max 4 min 1
  dim slots max 3
  input price: f64 { range 0 ..= 1000 scale standardize(mean: 10, std: 2) }
  input qty: i32 { range 0 .. missing fill(1) scale minmax(min: 0, max: 100) }
  input color: str { encode one_hot("red", "green", "blue") }
  input size: str { encode index("s", "m", "l") }
  input brand: str { encode index("acme", "bolt"; unknown: oov(4)) }
  input tags: str[events] { encode multi_hot("new", "sale") }
  input title: str { charset ascii encode bytes(max_len: 8) }
  input clicks: f32[events]
  input words: str[slots] { encode hash(buckets: 50) }
  label bought: str { encode index("no", "yes") }
  weight w: f32 { range 0 .. missing fill(1) }
  tensor features = concat(price, qty, color)
}
"#;

fn checked(text: &str, path: &str) -> Checked {
    let (_, out) = compile_bytes(path, text.as_bytes());
    out.checked
        .unwrap_or_else(|| panic!("{path} does not check: {:?}\n{text}", out.diagnostics))
}

/// The base schema with each `(from, to)` replaced once.
fn edit(edits: &[(&str, &str)]) -> String {
    let mut s = BASE.to_string();
    for (from, to) in edits {
        assert!(
            s.contains(from),
            "edit target `{from}` not in the base schema"
        );
        s = s.replacen(from, to, 1);
    }
    s
}

struct Case {
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    class: Option<Class>,
    path: &'static str,
}

const fn case(
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    class: Option<Class>,
    path: &'static str,
) -> Case {
    Case {
        name,
        edits,
        class,
        path,
    }
}

use Class::{Breaking as B, Retrain as R, Safe as S};

const CASES: &[Case] = &[
    // breaking (SPEC §8)
    case(
        "input_removed",
        &[(
            "  input words: str[slots] { encode hash(buckets: 50) }\n",
            "",
        )],
        Some(B),
        "inputs.words",
    ),
    case(
        "input_renamed",
        &[("input clicks:", "input taps:")],
        Some(B),
        "inputs.clicks",
    ),
    case(
        "tensor_renamed",
        &[("tensor features =", "tensor inputs =")],
        Some(B),
        "tensors.features",
    ),
    case(
        "feature_added",
        &[("  label bought", "  input extra: f32\n  label bought")],
        Some(B),
        "inputs.extra",
    ),
    case(
        "label_added",
        &[("  weight w", "  label churn: bool\n  weight w")],
        Some(B),
        "inputs.churn",
    ),
    case(
        "weight_added",
        &[(
            "  weight w: f32 { range 0 .. missing fill(1) }\n",
            "  weight w: f32 { range 0 .. missing fill(1) }\n  weight w2: f32\n",
        )],
        Some(B),
        "inputs.w2",
    ),
    case(
        "index_oov_appended",
        &[(
            r#""acme", "bolt"; unknown"#,
            r#""acme", "bolt", "cord"; unknown"#,
        )],
        Some(B),
        "inputs.brand.encode",
    ),
    case(
        "dtype_changed",
        &[("input clicks: f32[events]", "input clicks: f64[events]")],
        Some(B),
        "inputs.clicks",
    ),
    case(
        "shape_changed",
        &[("input clicks: f32[events]", "input clicks: f32[events, 2]")],
        Some(B),
        "inputs.clicks",
    ),
    case(
        "categories_reordered",
        &[(r#"index("s", "m", "l")"#, r#"index("m", "s", "l")"#)],
        Some(B),
        "inputs.size.encode",
    ),
    case(
        "categories_removed",
        &[(r#"index("s", "m", "l")"#, r#"index("s", "l")"#)],
        Some(B),
        "inputs.size.encode",
    ),
    case(
        "categories_inserted",
        &[(r#"index("s", "m", "l")"#, r#"index("xs", "s", "m", "l")"#)],
        Some(B),
        "inputs.size.encode",
    ),
    case(
        "one_hot_appended",
        &[(
            r#"one_hot("red", "green", "blue")"#,
            r#"one_hot("red", "green", "blue", "black")"#,
        )],
        Some(B),
        "inputs.color.encode",
    ),
    case(
        "multi_hot_appended",
        &[(
            r#"multi_hot("new", "sale")"#,
            r#"multi_hot("new", "sale", "gift")"#,
        )],
        Some(B),
        "inputs.tags.encode",
    ),
    case(
        "oov_4_to_8",
        &[("oov(4)", "oov(8)")],
        Some(B),
        "inputs.brand.encode",
    ),
    case(
        "scaling_parameter",
        &[("mean: 10, std: 2", "mean: 10, std: 2.5")],
        Some(B),
        "inputs.price",
    ),
    case(
        "encoding_changed",
        &[(
            r#"encode index("s", "m", "l")"#,
            r#"encode one_hot("s", "m", "l")"#,
        )],
        Some(B),
        "inputs.size",
    ),
    case(
        "concat_reordered",
        &[("concat(price, qty, color)", "concat(qty, price, color)")],
        Some(B),
        "tensors.features",
    ),
    case(
        "range_narrowed",
        &[("range 0 ..= 1000", "range 0 ..= 500")],
        Some(B),
        "inputs.price",
    ),
    case(
        "fill_to_error",
        &[("range 0 .. missing fill(1) scale", "range 0 .. scale")],
        Some(B),
        "inputs.qty",
    ),
    case(
        "fill_value_changed",
        &[("missing fill(1) scale", "missing fill(2) scale")],
        Some(B),
        "inputs.qty",
    ),
    case(
        "label_categories_appended",
        &[(r#"index("no", "yes")"#, r#"index("no", "yes", "maybe")"#)],
        Some(B),
        "inputs.bought.encode",
    ),
    case(
        "dim_max_changed",
        &[("dim events max 4 min 1", "dim events max 6 min 1")],
        Some(B),
        "dims.events",
    ),
    case(
        "charset_ascii_added",
        &[
            ("input title: str { charset ascii", "input title: str {"),
            (
                "input words: str[slots] {",
                "input words: str[slots] { charset ascii",
            ),
        ],
        Some(B),
        "inputs.words",
    ),
    // retrain
    case(
        "unknown_error_to_oov",
        &[(
            r#"index("s", "m", "l")"#,
            r#"index("s", "m", "l"; unknown: oov(2))"#,
        )],
        Some(R),
        "inputs.size.encode",
    ),
    case(
        "unknown_error_to_ignore",
        &[(
            r#"one_hot("red", "green", "blue")"#,
            r#"one_hot("red", "green", "blue"; unknown: ignore)"#,
        )],
        Some(R),
        "inputs.color.encode",
    ),
    case(
        "index_error_appended",
        &[(r#"index("s", "m", "l")"#, r#"index("s", "m", "l", "xl")"#)],
        Some(R),
        "inputs.size.encode",
    ),
    case(
        "range_widened",
        &[("range 0 ..= 1000", "range 0 ..= 5000")],
        Some(R),
        "inputs.price",
    ),
    case(
        "error_to_fill",
        &[(
            "input price: f64 { range 0 ..= 1000",
            "input price: f64 { range 0 ..= 1000 missing fill(10)",
        )],
        Some(R),
        "inputs.price",
    ),
    case(
        "truncate_added",
        &[(
            "encode bytes(max_len: 8)",
            "encode bytes(max_len: 8, truncate: right)",
        )],
        Some(R),
        "inputs.title.encode",
    ),
    case(
        "charset_ascii_dropped",
        &[("input title: str { charset ascii", "input title: str {")],
        Some(R),
        "inputs.title",
    ),
    case(
        "dim_min_dropped",
        &[("dim events max 4 min 1", "dim events max 4")],
        Some(R),
        "dims.events",
    ),
    // safe
    case(
        "doc_changed",
        &[(
            "A base schema for review tests.",
            "A base schema, reworded.",
        )],
        Some(S),
        "schema.doc",
    ),
    case(
        "input_doc_added",
        &[(
            "input price: f64 {",
            "input price: f64 { doc \"Unit price.\"",
        )],
        Some(S),
        "inputs.price",
    ),
    case(
        "deprecated_added",
        &[(
            "input clicks: f32[events]",
            "input clicks: f32[events] { deprecated \"use taps\" }",
        )],
        Some(S),
        "inputs.clicks",
    ),
    case(
        "separate_tensors_reordered",
        &[(
            "  input clicks: f32[events]\n  input words: str[slots] { encode hash(buckets: 50) }\n",
            "  input words: str[slots] { encode hash(buckets: 50) }\n  input clicks: f32[events]\n",
        )],
        Some(S),
        "inputs",
    ),
    case(
        "version_bump_only",
        &[("schema shop v1", "schema shop v2")],
        Some(S),
        "schema.version",
    ),
    case(
        "column_changed",
        &[(
            "input clicks: f32[events]",
            "input clicks: f32[events] from \"Clicks\"",
        )],
        Some(B),
        "inputs.clicks",
    ),
];

fn review(c: &Case) -> Review {
    compare(
        &checked(BASE, "old.seam"),
        &checked(&edit(c.edits), "new.seam"),
    )
}

#[test]
fn every_example_is_classified() {
    let mut failures = Vec::new();
    for c in CASES {
        let r = review(c);
        let worst = r.worst();
        let named = r.changes.iter().any(|ch| ch.path == c.path);
        if worst != c.class || !named {
            failures.push(format!(
                "{}: expected {:?} at `{}`, got {:?}:\n{}",
                c.name,
                c.class,
                c.path,
                worst,
                render::text(&r, c.name)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(CASES.len() >= 35);
}

#[test]
fn categories_show_the_index_remap() {
    let r = review(&CASES[9]);
    let c = &r.changes[0];
    assert_eq!(c.message, r#"categories changed: "s": 0 → 1, "m": 1 → 0"#);
    assert_eq!(c.old.as_deref(), Some(r#"["s", "m", "l"]"#));
    let r = review(&CASES[11]);
    assert!(
        r.changes[0].message.contains(r#""xs": new at 0"#),
        "{:?}",
        r.changes
    );
}

#[test]
fn shape_and_dtype_changes_show_both_tensor_specs() {
    let r = review(&CASES[8]);
    let spec = r
        .changes
        .iter()
        .find(|c| c.path == "tensors.clicks")
        .expect("tensor change");
    assert_eq!(spec.old.as_deref(), Some("f32 [batch, events=4] feature"));
    assert_eq!(
        spec.new.as_deref(),
        Some("f32 [batch, events=4, 2] feature")
    );
}

#[test]
fn yaml_to_dsl_is_no_change() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    for name in ["penguins", "reviews", "digits", "sessions"] {
        let read =
            |ext: &str| std::fs::read_to_string(root.join(format!("{name}.{ext}"))).expect("read");
        let r = compare(
            &checked(&read("yaml"), "a.yaml"),
            &checked(&read("seam"), "b.seam"),
        );
        assert!(r.changes.is_empty(), "{name}: {:?}", r.changes);
        assert_eq!(r.verdict(), Verdict::NoChanges);
        assert!(!r.fails(false));
    }
}

#[test]
fn a_version_bump_approves_breaking_changes() {
    let breaking = edit(&[("oov(4)", "oov(8)")]);
    let old = checked(BASE, "old.seam");
    let r = compare(&old, &checked(&breaking, "new.seam"));
    assert_eq!(r.verdict(), Verdict::Breaking);
    assert!(r.fails(false) && !r.fails(true));
    let bumped = breaking.replace("schema shop v1", "schema shop v2");
    let r = compare(&old, &checked(&bumped, "new.seam"));
    assert_eq!(r.verdict(), Verdict::BreakingApproved);
    assert!(!r.fails(false));
    // A lowered version is an error whatever the changes.
    let lowered = compare(&checked(&bumped, "a.seam"), &old);
    assert_eq!(lowered.verdict(), Verdict::VersionLowered);
    assert!(lowered.fails(true));
}

#[test]
fn golden_markdown_and_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/diff");
    std::fs::create_dir_all(&dir).expect("dir");
    for c in CASES {
        let r = review(c);
        for (ext, text) in [
            ("md", render::markdown(&r, "new.seam")),
            ("json", tensorseam_compiler::json::pretty(&render::json(&r))),
        ] {
            let file = dir.join(format!("{}.{ext}", c.name));
            common::golden(&file, &text);
        }
    }
}
