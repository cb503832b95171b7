//! Golden files of `gen rust` for every bundled schema (and the derive's test schemas).
//! `BLESS=1 cargo test -p tensorseam-compiler --test gen_rust` rewrites them; the runtime's trybuild
//! test compiles each one under `#![deny(warnings)]`.

mod common;

use std::path::{Path, PathBuf};
use tensorseam_compiler::emit::rust::{write_struct, StructOptions};

fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for (dir, rel) in [
        ("schemas", "../schemas"),
        ("runtime/tests/ui/schemas", "tests/ui/schemas"),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for path in files {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_string();
            if name.starts_with("broken") || !(name.ends_with(".yaml") || name.ends_with(".seam")) {
                continue;
            }
            // The schema path as the runtime crate's trybuild test resolves it.
            out.push((path, format!("{rel}/{name}")));
        }
    }
    out
}

/// The schema path a golden file names (read back from its attribute).
fn file_schema_path(golden: &Path) -> String {
    let text = std::fs::read_to_string(golden).unwrap_or_default();
    text.split("schema = \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn golden_structs() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/rust");
    let mut count = 0;
    for (path, schema_path) in sources() {
        let (_, out) = tensorseam_compiler::compile_path(&path.to_string_lossy()).expect("read");
        let checked = out
            .checked
            .unwrap_or_else(|| panic!("{}: {:?}", path.display(), out.diagnostics));
        let text = write_struct(
            &checked,
            &StructOptions {
                schema_path,
                training: false,
                serde: false,
            },
        );
        let file = golden.join(format!(
            "{}.rs",
            path.file_name().and_then(|n| n.to_str()).expect("name")
        ));
        common::golden(&file, &text);
        // Byte-identical on every run, from either syntax of the same schema.
        let again = tensorseam_compiler::compile_path(&path.to_string_lossy())
            .expect("read")
            .1
            .checked
            .expect("valid");
        assert_eq!(
            write_struct(
                &again,
                &StructOptions {
                    schema_path: file_schema_path(&file),
                    training: false,
                    serde: false,
                }
            ),
            text
        );
        count += 1;
    }
    assert!(count >= 10);
}

#[test]
fn keyword_inputs_become_raw_identifiers_or_renames() {
    let (_, out) = tensorseam_compiler::compile_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runtime/tests/ui/schemas/keywords.seam"
    ))
    .expect("read");
    let text = write_struct(
        &out.checked.expect("valid"),
        &StructOptions {
            schema_path: "k.seam".into(),
            training: false,
            serde: false,
        },
    );
    assert!(text.contains("pub r#type: String,"), "{text}");
    assert!(text.contains("pub r#match: f32,"), "{text}");
    assert!(
        text.contains("#[tensorseam(rename = \"self\")]\n    pub self_: i64,"),
        "{text}"
    );
    assert!(
        text.contains("#[tensorseam(rename = \"crate\")]\n    pub crate_: bool,"),
        "{text}"
    );
    assert!(text.starts_with("// @generated"));
}

/// `--serde`: `Deserialize` beside `ModelInput`, each field renamed to the column it reads where
/// the two differ (a keyword's field keeps the input's name as its key); two inputs reading one
/// column cannot both be filled by serde, which is an error naming them.
#[test]
fn serde_structs_rename_fields_to_columns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/rust");
    for (schema, rel, file) in [
        ("schemas/cars.yaml", "../schemas/cars.yaml", "cars.serde.rs"),
        (
            "runtime/tests/ui/schemas/keywords.seam",
            "tests/ui/schemas/keywords.seam",
            "keywords.serde.rs",
        ),
    ] {
        let (_, out) =
            tensorseam_compiler::compile_path(&root.join(schema).to_string_lossy()).expect("read");
        let text = tensorseam_compiler::emit::rust::try_write_struct(
            &out.checked.expect("valid"),
            &StructOptions {
                schema_path: rel.into(),
                training: true,
                serde: true,
            },
        )
        .expect("no shared column");
        common::golden(&golden.join(file), &text);
    }
    let cars = std::fs::read_to_string(golden.join("cars.serde.rs")).expect("golden");
    assert!(
        cars.contains("::tensorseam::ModelInput, ::serde::Deserialize"),
        "{cars}"
    );
    assert!(
        cars.contains("#[serde(rename = \"Weight_in_lbs\")]\n    pub weight: f32,"),
        "{cars}"
    );
    assert!(
        cars.contains("#[serde(rename = \"Miles_per_Gallon\")]\n    pub mpg: f32,"),
        "{cars}"
    );
    let keywords = std::fs::read_to_string(golden.join("keywords.serde.rs")).expect("golden");
    assert!(
        keywords.contains("#[tensorseam(rename = \"self\")]\n    #[serde(rename = \"self\")]\n    pub self_: i64,"),
        "{keywords}"
    );
    assert!(
        !keywords.contains("rename = \"type\""),
        "serde strips r#: {keywords}"
    );

    let (_, out) =
        tensorseam_compiler::compile_path(&root.join("schemas/weather.seam").to_string_lossy())
            .expect("read");
    let err = tensorseam_compiler::emit::rust::try_write_struct(
        &out.checked.expect("valid"),
        &StructOptions {
            schema_path: "w.seam".into(),
            training: false,
            serde: true,
        },
    )
    .expect_err("shared column");
    assert!(
        err.0.contains(
            "inputs `precipitation` and `rain_band` both read column `Precipitation (mm)`"
        ),
        "{err}"
    );
}
