//! `tensorseam build`: every artifact of one schema at once, for a repository or a release.

use crate::output::{out, say};
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
    let schema_path = match schema_path.map_or_else(
        || crate::schema_path::for_output(schema, Some(&dir.join(format!("{name}.rs")))),
        Ok,
    ) {
        Ok(p) => p,
        Err(e) => {
            say!("error: {e}");
            return 2;
        }
    };
    let rust = emit::rust::write_struct(
        c,
        &emit::rust::StructOptions {
            schema_path,
            training: false,
            serde: false,
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
        say!("error: cannot create `{}`: {e}", dir.display());
        return 2;
    }
    // Every artifact is written and synced before any replaces its old version: a failure leaves
    // the old set, never a mix of two fingerprints.
    let mut set = tensorseam::atomic::FileSet::new();
    for (file, text) in &artifacts {
        if let Err(e) = set.add(dir.join(file), text.as_bytes()) {
            say!("error: {e}; nothing in `{}` was changed", dir.display());
            return 2;
        }
    }
    match set.commit() {
        Ok(paths) => {
            let listed: String = paths
                .iter()
                .map(|p| format!("wrote {}\n", p.display()))
                .collect();
            out(&listed)
        }
        Err(e) => {
            say!("error: {e}");
            2
        }
    }
}
