//! Loading a schema for a command: read, compiled, its diagnostics printed — the one way every
//! command that reads a schema does it.

use crate::args::{Color, DiagFormat};
use crate::output::{say, Reporter};
use std::path::Path;
use tensorseam_compiler::{compile_path, Checked, SourceFile};

/// An unreadable file: said, exit code 2.
pub(crate) fn io_error(path: &Path, e: &std::io::Error) -> u8 {
    say!("error: cannot read `{}`: {e}", path.display());
    2
}

/// Compiles one schema and prints its diagnostics (warnings too): the checked schema, or the
/// exit code (2 unreadable, 1 invalid). Every command that reads a schema loads it here.
pub(crate) fn load(path: &Path, color: Color) -> Result<Checked, u8> {
    load_source(path, color).map(|(_, checked)| checked)
}

/// As [`load`], with the source file (for commands that point at its lines).
pub(crate) fn load_source(path: &Path, color: Color) -> Result<(SourceFile, Checked), u8> {
    let shown = path.to_string_lossy();
    let (file, compiled) = compile_path(&shown).map_err(|e| io_error(path, &e))?;
    let mut reporter = Reporter::new(DiagFormat::Human, color);
    reporter.report(&file, &compiled.diagnostics);
    match compiled.checked {
        Some(c) => Ok((file, c)),
        None => {
            reporter.finish(1);
            Err(1)
        }
    }
}

/// Compiles one schema, printing its diagnostics; runs `f` on success.
pub(crate) fn with_schema(path: &Path, color: Color, f: impl FnOnce(&Checked) -> u8) -> u8 {
    match load(path, color) {
        Ok(c) => f(&c),
        Err(code) => code,
    }
}
