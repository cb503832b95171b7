//! `tensorseam build`: every artifact of one schema at once, for a repository or a release.

use std::path::Path;
use tensorseam_compiler::{emit, Checked};

/// `tensorseam build`: every artifact of one schema into `dir`.
pub fn build(c: &Checked, schema: &Path, dir: &Path, schema_path: Option<String>) -> u8 {
    let name = &c.schema().name;
    let file_name = schema
        .file_name()
        .map_or_else(|| schema.to_string_lossy(), |n| n.to_string_lossy())
        .into_owned();
    let shown = schema.to_string_lossy().into_owned();
    let rust = emit::rust::write_struct(
        c,
        &emit::rust::StructOptions {
            schema_path: schema_path.unwrap_or_else(|| shown.clone()),
            training: false,
        },
    );
    let pretty = |v: &serde_json::Value| tensorseam_compiler::json::pretty(v);
    let artifacts = [
        (format!("{name}.rs"), rust),
        (
            format!("{name}_schema.py"),
            emit::python::module(c, &file_name),
        ),
        (
            format!("{name}.schema.json"),
            pretty(&emit::json_schema::json_schema(c, false)),
        ),
        (
            format!("{name}.training.schema.json"),
            pretty(&emit::json_schema::json_schema(c, true)),
        ),
        (format!("{name}.ir.json"), emit::ir::pretty_text(c)),
        (
            "DATASHEET.md".to_string(),
            emit::datasheet::datasheet(c, &shown),
        ),
    ];
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create `{}`: {e}", dir.display());
        return 2;
    }
    for (file, text) in &artifacts {
        let path = dir.join(file);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return 2;
        }
        println!("wrote {}", path.display());
    }
    0
}
