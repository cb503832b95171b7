//! The fingerprint (SPEC §2.7): stable under what does not change tensors, changed by what does.

use tensorseam_compiler::{compile, SourceFile};

const BASE: &str = "tensorseam: 1
name: penguins
version: 3
doc: Palmer penguins.
dims:
  seq: {max: 8}
inputs:
  bill:
    dtype: f32
    doc: Bill length.
    scale: {standardize: {mean: 43.92, std: 5.46}}
  island:
    dtype: str
    encode: {one_hot: {categories: [Biscoe, Dream, Torgersen]}}
  history:
    dtype: f32
    shape: [seq, 4]
tensors:
  features: {concat: [bill, island]}
";

fn fingerprint(path: &str, text: &str) -> String {
    let out = compile(&SourceFile::new(path, text));
    let checked = out
        .checked
        .unwrap_or_else(|| panic!("{text}\n{:?}", out.diagnostics));
    checked.fingerprint().to_string()
}

fn edited(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "edit target `{from}`");
    fingerprint("m.yaml", &BASE.replacen(from, to, 1))
}

#[test]
fn doc_and_layout_changes_keep_it() {
    let base = fingerprint("m.yaml", BASE);
    assert_eq!(base.len(), 64);
    assert!(base
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(
        edited("doc: Palmer penguins.", "doc: Something else entirely."),
        base
    );
    assert_eq!(edited("    doc: Bill length.\n", ""), base);
    assert_eq!(
        edited(
            "    doc: Bill length.\n",
            "    doc: x\n    deprecated: use mass\n"
        ),
        base
    );
    // Defaults written out, flow vs block style, quoting, integer-valued floats.
    assert_eq!(
        edited(
            "[Biscoe, Dream, Torgersen]}",
            "[\"Biscoe\", 'Dream', Torgersen], unknown: error, dtype: f32}"
        ),
        base
    );
    assert_eq!(edited("std: 5.46", "std: 5.460"), base);
    assert_eq!(
        edited("  seq: {max: 8}", "  seq:\n    max: 8\n    truncate: error"),
        base
    );
    assert_eq!(
        edited(
            "    shape: [seq, 4]\n",
            "    shape: [seq, 4]\n    role: feature\n    missing: error\n"
        ),
        base
    );
}

#[test]
fn each_tensor_affecting_change_changes_it() {
    let base = fingerprint("m.yaml", BASE);
    let changes = [
        ("Torgersen]", "Torgersen, Biscoe2]"), // a category added
        ("[Biscoe, Dream, Torgersen]", "[Dream, Biscoe, Torgersen]"), // category order
        ("mean: 43.92", "mean: 43.93"),        // a mean
        ("std: 5.46", "std: 5.460000000000001"), // the next double up
        ("shape: [seq, 4]", "shape: [seq, 5]"), // a shape
        ("seq: {max: 8}", "seq: {max: 9}"),    // a dim
        ("dtype: f32\n    doc: Bill", "dtype: f64\n    doc: Bill"), // a dtype
        ("concat: [bill, island]", "concat: [island, bill]"), // concat order
        ("version: 3", "version: 4"),          // the contract's version
        ("name: penguins", "name: penguins2"), // the name
        (
            "one_hot: {categories",
            "one_hot: {unknown: ignore, categories",
        ), // a policy
    ];
    let mut seen = vec![base.clone()];
    for (from, to) in changes {
        let f = edited(from, to);
        assert!(
            !seen.contains(&f),
            "`{from}` -> `{to}` did not change the fingerprint"
        );
        seen.push(f);
    }
}

#[test]
fn input_order_changes_it() {
    let base = fingerprint("m.yaml", BASE);
    let swapped = BASE.replace(
        "  island:\n    dtype: str\n    encode: {one_hot: {categories: [Biscoe, Dream, Torgersen]}}\n  history:\n    dtype: f32\n    shape: [seq, 4]\n",
        "  history:\n    dtype: f32\n    shape: [seq, 4]\n  island:\n    dtype: str\n    encode: {one_hot: {categories: [Biscoe, Dream, Torgersen]}}\n",
    );
    assert_ne!(swapped, BASE);
    assert_ne!(fingerprint("m.yaml", &swapped), base);
}

#[test]
fn yaml_and_dsl_forms_share_it() {
    let seam = r#"
        # the same schema, written in the DSL
        schema penguins v3 {
          doc "Palmer penguins, but documented differently."
          dim seq max 8
          input bill: f32 { scale standardize(mean: 43.92, std: 5.46) }
          input island: str { encode one_hot("Biscoe", "Dream", "Torgersen") }
          input history: f32[seq, 4]
          tensor features = concat(bill, island)
        }"#;
    assert_eq!(fingerprint("m.seam", seam), fingerprint("m.yaml", BASE));
}

#[test]
fn bundled_schemas_agree_across_syntaxes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let mut pairs = 0;
    for entry in std::fs::read_dir(&dir).expect("schemas/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let seam = path.with_extension("seam");
            let y = std::fs::read_to_string(&path).expect("yaml");
            let s = std::fs::read_to_string(&seam)
                .unwrap_or_else(|_| panic!("{} has no .seam twin", path.display()));
            assert_eq!(
                fingerprint("a.yaml", &y),
                fingerprint("a.seam", &s),
                "{}",
                path.display()
            );
            pairs += 1;
        }
    }
    assert!(pairs >= 4);
}

#[test]
fn canonical_ir_is_what_is_hashed() {
    let out = compile(&SourceFile::new("m.yaml", BASE));
    let checked = out.checked.expect("valid");
    let canonical = checked.canonical().to_string();
    assert_eq!(
        tensorseam_compiler::fingerprint::of(&canonical),
        checked.fingerprint()
    );
    assert!(!canonical.contains("Palmer"), "docs are not hashed");
    assert!(
        !canonical.contains(' ') || canonical.contains("\" "),
        "no insignificant whitespace"
    );
    assert!(canonical.contains("\"std\":5.46"));
}
