//! The schema path a generated struct's `#[tensorseam(schema = "…")]` holds. The derive reads it
//! relative to the `Cargo.toml` of the crate that compiles the struct, and refuses an absolute
//! path (a build that works on one machine only), so the path is written relative to the
//! `Cargo.toml` nearest above the output file — whatever the working directory, and however the
//! schema was named on the command line.

use std::path::{Component, Path, PathBuf};

/// The nearest existing directory at or above `dir`, made absolute.
fn existing(dir: &Path) -> std::io::Result<PathBuf> {
    let mut at = std::path::absolute(dir)?;
    loop {
        match at.canonicalize() {
            Ok(p) => return Ok(p),
            Err(e) if !at.pop() => return Err(e),
            Err(_) => {}
        }
    }
}

/// `to` relative to the directory `from` (both absolute, canonical): `../schemas/x.yaml`.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let a: Vec<Component<'_>> = from.components().collect();
    let b: Vec<Component<'_>> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c);
    }
    out
}

/// The path to write for `schema` in a struct written to `output` (stdout: the working
/// directory's crate). When no crate owns the output and the schema was named by an absolute
/// path, that path is written with a warning (the derive will refuse it): the rest of the output
/// is still of use.
///
/// # Errors
/// A path that cannot be resolved or is not UTF-8: the message says to pass `--schema-path`.
pub fn for_output(schema: &Path, output: Option<&Path>) -> Result<String, String> {
    match owned(schema, output)? {
        Ok(path) => Ok(path),
        Err(warning) => {
            crate::output::say!("warning: {warning}");
            schema
                .to_str()
                .map(str::to_string)
                .ok_or_else(|| "the schema path is not UTF-8; pass --schema-path".to_string())
        }
    }
}

/// The relative path, or (inner `Err`) why none can be computed.
fn owned(schema: &Path, output: Option<&Path>) -> Result<Result<String, String>, String> {
    let dir = match output.and_then(Path::parent) {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = existing(&dir).map_err(|e| format!("cannot resolve `{}`: {e}", dir.display()))?;
    let manifest = dir.ancestors().find(|d| d.join("Cargo.toml").is_file());
    let text = |p: &Path| {
        p.to_str().map(str::to_string).ok_or_else(|| {
            format!(
                "`{}` is not UTF-8; pass --schema-path",
                tensorseam_compiler::names::printable(&p.to_string_lossy())
            )
        })
    };
    match manifest {
        Some(root) => {
            let schema = schema
                .canonicalize()
                .map_err(|e| format!("cannot resolve `{}`: {e}", schema.display()))?;
            text(&relative(root, &schema)).map(Ok)
        }
        None if schema.is_relative() => text(schema).map(Ok),
        None => Ok(Err(format!(
            "no Cargo.toml at or above `{}`: the struct names the schema by its absolute path, which the derive refuses; pass --schema-path relative to the Cargo.toml of the crate that compiles the struct",
            dir.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/w/app"), Path::new("/w/schemas/p.yaml")),
            PathBuf::from("../schemas/p.yaml")
        );
        assert_eq!(
            relative(Path::new("/w/app"), Path::new("/w/app/s/p.yaml")),
            PathBuf::from("s/p.yaml")
        );
    }

    #[test]
    fn relative_to_the_crate_that_owns_the_output() {
        let root =
            std::env::temp_dir().join(format!("tensorseam-schema-path-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("app/src")).unwrap();
        std::fs::create_dir_all(root.join("schemas")).unwrap();
        std::fs::write(root.join("app/Cargo.toml"), "[package]\n").unwrap();
        let schema = root.join("schemas/p.yaml");
        std::fs::write(&schema, "").unwrap();
        // An absolute schema path, an output in the crate's src: relative to app/Cargo.toml.
        assert_eq!(
            for_output(&schema, Some(&root.join("app/src/p.rs"))).unwrap(),
            "../schemas/p.yaml"
        );
        // An output directory not created yet resolves through its existing ancestor.
        assert_eq!(
            for_output(&schema, Some(&root.join("app/gen/new/p.rs"))).unwrap(),
            "../schemas/p.yaml"
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
