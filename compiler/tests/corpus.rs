//! The diagnostics corpus: every file in `corpus/bad/` beside its expected rendered diagnostics
//! (`<file>.txt`), and every file in `corpus/ok/` producing none. `BLESS=1 cargo test --test corpus`
//! rewrites the expectations; review them in `git diff`.

use std::path::{Path, PathBuf};
use tensorseam_compiler::diag::{render, Format};
use tensorseam_compiler::{compile, compile_bytes, source_from_bytes, Compiled};

fn corpus(sub: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "seam")
            )
        })
        .collect();
    files.sort();
    files
}

/// Compiles a corpus file under its path relative to the corpus, and renders its diagnostics.
fn run(path: &Path, sub: &str) -> (Compiled, String) {
    let name = format!(
        "{sub}/{}",
        path.file_name().and_then(|n| n.to_str()).expect("name")
    );
    let bytes = std::fs::read(path).expect("read");
    let (file, out) = compile_bytes(&name, &bytes);
    let text: String = out
        .diagnostics
        .iter()
        .map(|d| render(d, &file, Format::Human { color: false }))
        .collect();
    (out, text)
}

#[test]
fn bad_schemas_render_their_expected_diagnostics() {
    let bless = std::env::var_os("BLESS").is_some();
    let files = corpus("bad");
    assert!(
        files.len() >= 40,
        "the corpus holds at least 40 bad schemas"
    );
    let mut failures = Vec::new();
    for path in &files {
        let (out, text) = run(path, "bad");
        let warn_only = path.to_string_lossy().contains("_warn_");
        if warn_only {
            assert!(
                !out.has_errors() && !out.diagnostics.is_empty(),
                "{}: expected warnings only",
                path.display()
            );
        } else {
            assert!(
                out.has_errors(),
                "{}: expected an error, got none",
                path.display()
            );
            assert!(
                out.checked.is_none(),
                "{}: a schema with errors must not check",
                path.display()
            );
        }
        let expected_path = PathBuf::from(format!("{}.txt", path.display()));
        if bless {
            std::fs::write(&expected_path, &text).expect("bless");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != text {
            failures.push(format!(
                "--- {}\n{}\n+++ actual\n{}",
                expected_path.display(),
                expected,
                text
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches (BLESS=1 to accept):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_bad_schema_exists_in_both_syntaxes_somewhere() {
    let files = corpus("bad");
    let seam = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "seam"))
        .count();
    let yaml = files.len() - seam;
    assert!(seam >= 20 && yaml >= 20, "yaml {yaml}, seam {seam}");
}

#[test]
fn ok_schemas_produce_no_diagnostics() {
    let files = corpus("ok");
    assert!(files.len() >= 8);
    for path in &files {
        let (out, text) = run(path, "ok");
        assert!(
            out.diagnostics.iter().all(|d| d.code.as_str() == "W0001"),
            "{}:\n{text}",
            path.display()
        );
        assert!(out.checked.is_some(), "{}", path.display());
    }
}

/// A deterministic byte stream (xorshift), so junk tests are repeatable.
fn junk(len: usize, seed: u64, ascii: bool) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if ascii {
                let alphabet = b" \n\t{}[]:,-#\"'&*!|>abcxyz0123456789";
                alphabet[(x % alphabet.len() as u64) as usize]
            } else {
                x as u8
            }
        })
        .collect()
}

#[test]
fn multi_megabyte_junk_is_a_diagnostic() {
    for (seed, ascii) in [(1u64, false), (2, true), (3, true)] {
        let bytes = junk(4 << 20, seed, ascii);
        for ext in ["yaml", "seam"] {
            let name = format!("junk.{ext}");
            let (_, out) = compile_bytes(&name, &bytes);
            assert!(out.has_errors(), "{name} seed {seed}");
        }
    }
}

#[test]
fn oversized_file_is_refused() {
    let bytes = vec![b'#'; tensorseam_compiler::MAX_FILE_BYTES + 1];
    let err = source_from_bytes("huge.yaml", &bytes).expect_err("too large");
    assert_eq!(err.1.code.as_str(), "E0012");
    let (_, out) = compile_bytes("huge.seam", &bytes);
    assert!(out.has_errors());
}

#[test]
fn long_junk_lines_render_a_window_not_the_whole_line() {
    let mut text =
        String::from("tensorseam: 1\nname: m\nversion: 1\ninputs: {x: {dtype: f32, doc: ");
    text.push_str(&"a".repeat(100_000));
    text.push_str(", bad: }\n");
    let file = tensorseam_compiler::SourceFile::new("long.yaml", text);
    let out = compile(&file);
    assert!(out.has_errors());
    for d in &out.diagnostics {
        let shown = render(d, &file, Format::Human { color: false });
        assert!(shown.len() < 2_000, "rendered {} bytes", shown.len());
    }
}
