//! Golden files of `gen python` for every bundled schema, the derive's test schemas and the
//! hostile-names schema of the Python tests. `BLESS=1 cargo test -p tensorseam-compiler --test
//! gen_python` rewrites them; the test script runs `mypy --strict` and `ruff check` on them.

mod common;

use std::path::{Path, PathBuf};
use tensorseam_compiler::emit::python::module;

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for dir in [
        "schemas",
        "runtime/tests/ui/schemas",
        "tests/python/schemas",
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                !name.starts_with("broken") && (name.ends_with(".yaml") || name.ends_with(".seam"))
            })
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}

fn generate(path: &Path) -> String {
    let (_, out) = tensorseam_compiler::compile_path(&path.to_string_lossy()).expect("read");
    let checked = out
        .checked
        .unwrap_or_else(|| panic!("{}: {:?}", path.display(), out.diagnostics));
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    module(&checked, name)
}

/// The module without its first line (which names the source file).
fn body(text: &str) -> &str {
    text.split_once('\n').map_or("", |(_, rest)| rest)
}

#[test]
fn golden_modules() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/python");
    std::fs::create_dir_all(&golden).expect("dir");
    let mut count = 0;
    for path in sources() {
        let text = generate(&path);
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .replace('.', "_");
        let file = golden.join(format!("{name}.py"));
        common::golden(&file, &text);
        // Byte-identical on every run.
        assert_eq!(generate(&path), text);
        // The YAML and DSL forms of one schema give the same module (but for the file it names).
        let twin = match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") => path.with_extension("seam"),
            _ => path.with_extension("yaml"),
        };
        if twin.exists() {
            assert_eq!(body(&generate(&twin)), body(&text), "{}", path.display());
        }
        count += 1;
    }
    assert!(count >= 12, "{count}");
}

#[test]
fn module_header_names_schema_and_fingerprint() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/penguins.seam");
    let text = generate(&root);
    let (_, out) = tensorseam_compiler::compile_path(&root.to_string_lossy()).expect("read");
    let fingerprint = out.checked.expect("valid").fingerprint().to_string();
    let head: Vec<&str> = text.lines().take(3).collect();
    assert!(head[0].contains("penguins.seam"), "{head:?}");
    assert!(head[1].contains(&fingerprint), "{head:?}");
    assert!(head[2].starts_with("# Do not edit"), "{head:?}");
    assert!(text.contains(&format!("FINGERPRINT: Final = \"{fingerprint}\"")));
}
