//! Printing diagnostics in the chosen format, and deciding on colour.

use crate::args::{Color, DiagFormat};
use std::io::IsTerminal as _;
use tensorseam_compiler::diag::{self, Format};
use tensorseam_compiler::{Diagnostic, SourceFile};

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

    /// Reports a file's diagnostics.
    pub fn report(&mut self, file: &SourceFile, diags: &[Diagnostic]) {
        for d in diags {
            if d.is_error() {
                self.errors += 1;
            } else {
                self.warnings += 1;
            }
            match self.format {
                DiagFormat::Human => eprint!(
                    "{}",
                    diag::render(d, file, Format::Human { color: self.color })
                ),
                DiagFormat::Github => print!("{}", diag::render(d, file, Format::Github)),
                DiagFormat::Json => self.json.push(diag::to_json(d, file)),
            }
        }
    }

    /// Prints the closing summary (human) or the JSON document.
    pub fn finish(self, files: usize) {
        match self.format {
            DiagFormat::Json => {
                let doc = serde_json::json!({
                    "files": files, "errors": self.errors, "warnings": self.warnings, "diagnostics": self.json,
                });
                println!("{}", tensorseam_compiler::json::pretty(&doc).trim_end());
            }
            DiagFormat::Human => {
                let plural =
                    |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
                if self.errors > 0 {
                    eprintln!(
                        "error: {} in {}",
                        plural(self.errors, "error"),
                        plural(files, "file")
                    );
                } else if self.warnings > 0 {
                    eprintln!("warning: {}", plural(self.warnings, "warning"));
                }
            }
            DiagFormat::Github => {}
        }
    }
}
