//! Where output goes: standard output that survives a closed pipe or a full disk, standard error
//! that never panics, diagnostics in the chosen format, and the colour decision.

use crate::args::{Color, DiagFormat};
use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use tensorseam_compiler::diag::{self, Format};
use tensorseam_compiler::{Diagnostic, SourceFile};

/// Writes a line to standard error; a failure to do so is ignored (there is nowhere left to say it).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use say;

/// Writes to standard error without a newline; failures ignored.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use say_raw;

/// Set once a reader closed standard output: nothing more is written there.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to standard output and flushes it. A closed pipe (`tensorseam sample … | head`)
/// ends output quietly: this and every later write are dropped and the command finishes with the
/// status its work warrants. Any other failure (a full disk) is reported with exit code 2.
pub fn out(text: &str) -> u8 {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return 0;
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            0
        }
        Err(e) => {
            say!("error: cannot write to standard output: {e}");
            2
        }
    }
}

/// Whether to colour output written to stderr.
pub fn use_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// Collects diagnostics of several files and prints them in one format.
pub struct Reporter {
    format: DiagFormat,
    color: bool,
    json: Vec<serde_json::Value>,
    /// Errors seen.
    pub errors: usize,
    /// Warnings seen.
    pub warnings: usize,
}

impl Reporter {
    /// A reporter.
    pub fn new(format: DiagFormat, color: Color) -> Reporter {
        Reporter {
            format,
            color: use_color(color),
            json: Vec::new(),
            errors: 0,
            warnings: 0,
        }
    }

    /// Reports a file's diagnostics. Returns 2 when standard output failed (a full disk).
    pub fn report(&mut self, file: &SourceFile, diags: &[Diagnostic]) -> u8 {
        let mut status = 0;
        for d in diags {
            if d.is_error() {
                self.errors += d.count;
            } else {
                self.warnings += d.count;
            }
            match self.format {
                DiagFormat::Human => say_raw!(
                    "{}",
                    diag::render(d, file, Format::Human { color: self.color })
                ),
                DiagFormat::Github => {
                    status = status.max(out(&diag::render(d, file, Format::Github)));
                }
                DiagFormat::Json => self.json.push(diag::to_json(d, file)),
            }
        }
        status
    }

    /// Prints the closing summary (human) or the JSON document. Returns 2 when standard output
    /// failed.
    pub fn finish(self, files: usize) -> u8 {
        match self.format {
            DiagFormat::Json => {
                let doc = serde_json::json!({
                    "files": files, "errors": self.errors, "warnings": self.warnings, "diagnostics": self.json,
                });
                out(&tensorseam_compiler::json::pretty(&doc))
            }
            DiagFormat::Human => {
                let plural =
                    |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
                if self.errors > 0 {
                    say!(
                        "error: {} in {}",
                        plural(self.errors, "error"),
                        plural(files, "file")
                    );
                } else if self.warnings > 0 {
                    say!("warning: {}", plural(self.warnings, "warning"));
                }
                0
            }
            DiagFormat::Github => 0,
        }
    }
}

/// Writes `text` to the file (atomically: a failure leaves the old file) or to standard output.
pub(crate) fn write_output(path: Option<&Path>, text: &str) -> u8 {
    match path {
        None => out(text),
        Some(p) => match tensorseam::atomic::write(p, text.as_bytes()) {
            Ok(()) => 0,
            Err(e) => {
                say!("error: {e}");
                2
            }
        },
    }
}
