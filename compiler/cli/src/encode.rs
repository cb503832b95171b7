//! `tensorseam encode`: data files (JSON Lines, CSV, Parquet, Arrow IPC; files or directories of
//! parts) to batch files (`.npz`, `.safetensors`, `.parquet`; one file or parts of N rows),
//! streamed and encoded on every core by the runtime (`tensorseam::dynamic::stream`). Nothing is
//! put in place unless the whole run succeeds.

use crate::args::{Color, TableFormat};
use crate::output::{out, say, say_raw};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use tensorseam::atomic::AtomicFile;
use tensorseam::dynamic::parquet_file::ParquetOut;
use tensorseam::dynamic::source::{files, Chunks};
use tensorseam::dynamic::stream::{Piece, Rejected, StreamError, StreamOptions};
use tensorseam::dynamic::{EncodeOptions, Schema};
use tensorseam::files;
use tensorseam::{Batch, ValidationErrors};
use tensorseam_compiler::names::printable;

/// What `encode` was asked for beyond the engine's options.
pub struct Request {
    /// Data files or directories.
    pub data: Vec<PathBuf>,
    /// The output file, or directory with `rows_per_file`.
    pub output: PathBuf,
    /// Write parts of this many rows into the output directory.
    pub rows_per_file: Option<usize>,
    /// The parts' format (`npz`, `safetensors`, `parquet`).
    pub part_format: String,
    /// Set invalid records aside in this JSON Lines file instead of failing.
    pub rejects: Option<PathBuf>,
    /// Fail when more than this share of the records is rejected.
    pub max_reject_fraction: f64,
    /// Threads (0: one per core).
    pub workers: usize,
    /// How invalid values are reported.
    pub errors: TableFormat,
}

/// Where encoded batches go.
enum Sink {
    /// One `.npz`/`.safetensors`: the parts, written at the end (memory is the output's size).
    Whole(PathBuf, Vec<Batch>),
    /// One `.parquet`, written as it comes (or at the end, padded, with dims without `max`).
    Parquet(Box<ParquetOut>),
    /// Parts of `rows` rows in a directory, each written when complete, put in place at the end.
    Parts {
        dir: PathBuf,
        ext: String,
        rows: usize,
        open_dims: bool,
        current: Vec<Batch>,
        current_rows: usize,
        written: Vec<(PathBuf, AtomicFile)>,
    },
}

impl Sink {
    fn push(&mut self, batch: Batch) -> Result<(), String> {
        match self {
            Sink::Whole(_, parts) => {
                parts.push(batch);
                Ok(())
            }
            Sink::Parquet(p) => p.push(batch).map_err(|e| e.to_string()),
            Sink::Parts {
                rows,
                current,
                current_rows,
                ..
            } => {
                *current_rows += batch.rows();
                current.push(batch);
                if *current_rows >= *rows {
                    self.flush_part()?;
                }
                Ok(())
            }
        }
    }

    /// Writes the part being collected (parts: chunks never cross a part boundary).
    fn flush_part(&mut self) -> Result<(), String> {
        let Sink::Parts {
            dir,
            ext,
            open_dims,
            current,
            current_rows,
            written,
            ..
        } = self
        else {
            return Ok(());
        };
        if current.is_empty() {
            return Ok(());
        }
        let path = dir.join(format!("part-{:05}.{ext}", written.len()));
        let batches = std::mem::take(current);
        *current_rows = 0;
        let file = if ext == "parquet" {
            let mut p = ParquetOut::new(&path, !*open_dims);
            for b in batches {
                p.push(b).map_err(|e| e.to_string())?;
            }
            p.close().map_err(|e| e.to_string())?
        } else {
            files::stage_parts(&batches, &path).map_err(|e| e.to_string())?
        };
        written.push((path, file));
        Ok(())
    }

    /// Puts everything in place; returns what was written.
    fn finish(mut self) -> Result<Vec<PathBuf>, String> {
        self.flush_part()?;
        match self {
            Sink::Whole(path, parts) => {
                files::write_parts(&parts, &path).map_err(|e| e.to_string())?;
                Ok(vec![path])
            }
            Sink::Parquet(p) => {
                p.finish().map_err(|e| e.to_string())?;
                Ok(Vec::new())
            }
            Sink::Parts {
                dir, ext, written, ..
            } => {
                let mut paths = Vec::new();
                for (path, file) in written {
                    file.commit().map_err(|e| e.to_string())?;
                    paths.push(path);
                }
                // Parts of an earlier, longer run would read as part of this one.
                let mut n = paths.len();
                loop {
                    let stale = dir.join(format!("part-{n:05}.{ext}"));
                    if std::fs::remove_file(&stale).is_err() {
                        break;
                    }
                    n += 1;
                }
                Ok(paths)
            }
        }
    }
}

fn format_name(path: &Path) -> Option<&'static str> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("npz") => Some("npz"),
        Some("safetensors") => Some("safetensors"),
        Some("parquet") => Some("parquet"),
        _ => None,
    }
}

/// The rejected records, written as they come and put in place at the end.
struct Rejects {
    file: AtomicFile,
    path: PathBuf,
}

impl Rejects {
    fn write(&mut self, rejected: &[Rejected]) -> Result<(), String> {
        use std::io::Write as _;
        for r in rejected {
            let errors: Vec<serde_json::Value> = r
                .errors
                .iter()
                .map(|e| serde_json::json!({"field": e.path, "code": e.code.as_str(), "message": e.message}))
                .collect();
            let line = serde_json::json!({"row": r.row, "errors": errors, "record": r.record});
            writeln!(
                self.file,
                "{}",
                tensorseam::json::python_tokens(&line.to_string())
            )
            .map_err(|e| format!("cannot write `{}`: {e}", self.path.display()))?;
        }
        Ok(())
    }
}

/// `tensorseam encode`.
pub fn encode(schema: &Path, req: Request, opts: EncodeOptions, color: Color) -> u8 {
    let checked = match crate::load::load(schema, color) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let schema = match Schema::from_checked(checked) {
        Ok(s) => s,
        Err(e) => {
            say!("error: {e}");
            return 1;
        }
    };
    let inputs = match files(&req.data) {
        Ok(f) => f,
        Err(e) => {
            say!("error: {}", printable(&e.to_string()));
            return 2;
        }
    };
    let mut sink = match req.rows_per_file {
        Some(rows) => {
            if !["npz", "safetensors", "parquet"].contains(&req.part_format.as_str()) {
                say!("error: --format takes npz, safetensors or parquet");
                return 2;
            }
            if let Err(e) = std::fs::create_dir_all(&req.output) {
                say!("error: cannot create `{}`: {e}", req.output.display());
                return 2;
            }
            Sink::Parts {
                dir: req.output.clone(),
                ext: req.part_format.clone(),
                rows,
                open_dims: schema.has_open_dims(),
                current: Vec::new(),
                current_rows: 0,
                written: Vec::new(),
            }
        }
        None => match format_name(&req.output) {
            Some("parquet") => Sink::Parquet(Box::new(ParquetOut::new(
                &req.output,
                !schema.has_open_dims(),
            ))),
            Some(_) => Sink::Whole(req.output.clone(), Vec::new()),
            None => {
                say!(
                    "error: `{}`: batch files end in .npz, .safetensors or .parquet (or give a directory with --rows-per-file)",
                    req.output.display()
                );
                return 2;
            }
        },
    };
    let mut rejects = match &req.rejects {
        None => None,
        Some(path) => match AtomicFile::create(path) {
            Ok(file) => Some(Rejects {
                file,
                path: path.clone(),
            }),
            Err(e) => {
                say!("error: {e}");
                return 2;
            }
        },
    };
    // Parquet and Arrow: only the columns the inputs read (every column in strict mode).
    let wanted = (!opts.strict).then(|| schema.columns());
    let total: u64 = inputs
        .iter()
        .filter_map(|(p, _)| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let mut chunks = Chunks::new(inputs, wanted);
    if let Some(rows) = req.rows_per_file {
        chunks = chunks.parts_of(rows);
    }
    let stream = StreamOptions {
        encode: opts,
        workers: req.workers,
        rejects: rejects.is_some(),
    };
    let live = std::io::stderr().is_terminal() && total > 64 * 1024 * 1024;
    let mut seen = 0usize;
    let mut tensors = 0usize;
    let mut shown = std::time::Instant::now();
    let result = schema.encode_stream(chunks, &stream, &mut |piece| match piece {
        Piece::Batch(b) => {
            seen += b.rows();
            tensors = b.tensors().len();
            if live && shown.elapsed() > std::time::Duration::from_millis(200) {
                shown = std::time::Instant::now();
                say_raw!("\rencode: {seen} rows");
            }
            sink.push(b)
        }
        Piece::Rejected(r) => match rejects.as_mut() {
            Some(out) => out.write(&r),
            None => Ok(()),
        },
    });
    if live {
        say!();
    }
    let report = match result {
        Ok(r) => r,
        Err(StreamError::Invalid { errors, stopped }) => {
            if let Some(why) = errors.unbuildable() {
                say!(
                    "error: the batch cannot be built: {why}; nothing was written to {}",
                    req.output.display()
                );
                return 2;
            }
            return invalid(&errors, stopped, req.errors, &req.output);
        }
        Err(StreamError::Read(e)) => {
            say!("error: {}", printable(&e.to_string()));
            return 2;
        }
        Err(StreamError::Sink(e)) => {
            say!("error: {}", printable(&e));
            return 2;
        }
    };
    for warning in &report.warnings {
        say!("warning: {}", printable(warning));
    }
    if let Some(r) = rejects {
        if let Err(e) = r.file.commit() {
            say!("error: {e}");
            return 2;
        }
        let fraction = if report.rows == 0 {
            0.0
        } else {
            report.rejected as f64 / report.rows as f64
        };
        say!(
            "rejected {} of {} records ({:.2}%) into {}",
            report.rejected,
            report.rows,
            fraction * 100.0,
            r.path.display()
        );
        if fraction > req.max_reject_fraction {
            say!(
                "error: more than --max-reject-fraction {} of the records are invalid; nothing was written to {}",
                req.max_reject_fraction,
                req.output.display()
            );
            return 1;
        }
    }
    let written = report.rows - report.rejected;
    match sink.finish() {
        Ok(paths) => {
            let into = if paths.len() > 1 {
                format!("{} files in {}", paths.len(), req.output.display())
            } else {
                req.output.display().to_string()
            };
            say!("wrote {written} rows, {tensors} tensors to {into}");
            0
        }
        Err(e) => {
            say!("error: {}", printable(&e));
            2
        }
    }
}

/// Reports invalid data (exit 1): grouped text on stderr, or every error as JSON on stdout.
fn invalid(errors: &ValidationErrors, stopped: bool, format: TableFormat, output: &Path) -> u8 {
    if format == TableFormat::Json {
        let list: Vec<serde_json::Value> = errors
            .errors()
            .iter()
            .map(|e| {
                serde_json::json!({"row": e.row, "path": e.path, "code": e.code.as_str(), "message": e.message})
            })
            .collect();
        let doc = serde_json::json!({"count": errors.len(), "omitted": errors.omitted(), "stopped": stopped, "errors": list});
        if out(&format!("{doc}\n")) != 0 {
            return 2;
        }
    } else {
        say_raw!("error: {}", crate::batches::report(errors));
        if stopped {
            say!("(reading stopped at the error limit; raise --error-limit to see more, or set invalid records aside with --rejects FILE)");
        }
    }
    say!("nothing was written to {}", output.display());
    1
}
