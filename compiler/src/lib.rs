//! The tensorseam schema compiler.
//!
//! A schema (YAML or the `.seam` DSL) is parsed into one syntax-neutral document tree, checked into
//! the IR, and handed to emitters. Only the checker produces a [`check::Checked`] schema, so every
//! emitter works from a schema that passed every rule.
//!
//! ```
//! use tensorseam_compiler::{compile, SourceFile};
//!
//! let file = SourceFile::new("tiny.seam", r#"
//!     schema tiny v1 {
//!       input x: f32 { scale standardize(mean: 1.5, std: 2) }
//!       input color: str { encode one_hot("red", "green") }
//!       tensor features = concat(x, color)
//!     }"#);
//! let out = compile(&file);
//! let schema = out.checked.expect("valid schema");
//! assert_eq!(schema.specs[0].name, "features");
//! assert_eq!(tensorseam_compiler::explain::shape(&schema.specs[0].axes), "[batch, 3]");
//! assert_eq!(schema.fingerprint().len(), 64);
//! ```
#![deny(missing_docs)]

pub mod check;
pub mod codes;
pub mod comments;
#[cfg(feature = "derive")]
pub mod derive;
pub mod diag;
pub mod diff;
pub mod dsl;
pub mod emit;
pub mod explain;
pub mod fingerprint;
pub mod ir;
pub mod json;
pub mod markdown;
pub mod names;
pub mod sample;
pub mod source;
pub mod syntax;
pub mod tree;

pub use check::Checked;
pub use codes::{Code, Severity};
pub use diag::Diagnostic;
pub use source::{SourceFile, Span, Syntax};

/// The largest schema file read: far above any real schema, well below what would hurt.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Diagnostics kept per file; the rest are counted in one last diagnostic (`E0015`).
pub const MAX_DIAGNOSTICS: usize = 100;

/// The result of compiling one file: the checked schema if it had no errors, and every diagnostic.
#[derive(Debug)]
pub struct Compiled {
    /// Present when no error was found (warnings may still be present).
    pub checked: Option<Checked>,
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses a file's text into the document tree with the front-end its extension names.
pub fn parse(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<tree::Node> {
    match Syntax::from_path(file.path()) {
        Some(Syntax::Yaml) => syntax::yaml::parse(file.text(), diags),
        Some(Syntax::Seam) => dsl::parse(file.text(), diags),
        None => {
            diags.push(
                Diagnostic::new(
                    Code::UnknownSyntax,
                    Span::point(0),
                    "unknown schema file extension",
                )
                .help("name schema files `*.yaml`, `*.yml` or `*.seam`"),
            );
            None
        }
    }
}

/// Parses and checks one file.
pub fn compile(file: &SourceFile) -> Compiled {
    let mut diagnostics = Vec::new();
    let checked =
        parse(file, &mut diagnostics).and_then(|tree| check::check(&tree, &mut diagnostics));
    // Report in reading order, as a compiler does; the sort is stable for equal positions. The
    // count of diagnostics not shown comes last.
    diagnostics.sort_by_key(|d| (d.code == Code::TooManyDiagnostics, d.span.start));
    // A parse-time error (a duplicate key, say) also disqualifies the schema.
    let checked = checked.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    Compiled {
        checked,
        diagnostics,
    }
}

/// Turns raw file bytes into a [`SourceFile`]. Invalid UTF-8 or an oversized file is a diagnostic,
/// returned with a file holding the readable text, so the diagnostic can point at the bad byte.
pub fn source_from_bytes(
    path: &str,
    bytes: &[u8],
) -> Result<SourceFile, Box<(SourceFile, Diagnostic)>> {
    if bytes.len() > MAX_FILE_BYTES {
        let file = SourceFile::new(path, "");
        let d = Diagnostic::new(
            Code::FileTooLarge,
            Span::point(0),
            format!(
                "the file is {} bytes; schemas are at most {} bytes",
                bytes.len(),
                MAX_FILE_BYTES
            ),
        );
        return Err(Box::new((file, d)));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(e) => {
            let at = e.valid_up_to();
            let file = SourceFile::new(path, String::from_utf8_lossy(bytes).into_owned());
            // The lossy text holds U+FFFD (3 bytes) where the bad byte was.
            let d = Diagnostic::new(
                Code::InvalidUtf8,
                Span::new(at, at + 3),
                format!("invalid UTF-8 at byte {at}"),
            )
            .label("not UTF-8")
            .help("save the schema as UTF-8");
            Err(Box::new((file, d)))
        }
    }
}

/// Compiles a file's raw bytes: decoding problems become diagnostics like any other.
pub fn compile_bytes(path: &str, bytes: &[u8]) -> (SourceFile, Compiled) {
    match source_from_bytes(path, bytes) {
        Ok(file) => {
            let out = compile(&file);
            (file, out)
        }
        Err(e) => {
            let (file, d) = *e;
            (
                file,
                Compiled {
                    checked: None,
                    diagnostics: vec![d],
                },
            )
        }
    }
}

/// Reads a schema file's bytes, at most one byte past [`MAX_FILE_BYTES`]: enough to say it is too
/// large, whatever it is (`/dev/zero` included), without reading it all.
///
/// # Errors
/// When the file cannot be opened or read.
pub fn read_source(path: impl AsRef<std::path::Path>) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads and compiles a file from disk. `Err` only for I/O errors (exit code 2).
pub fn compile_path(path: &str) -> std::io::Result<(SourceFile, Compiled)> {
    Ok(compile_bytes(path, &read_source(path)?))
}
