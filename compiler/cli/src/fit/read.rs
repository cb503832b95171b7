//! Streaming the data for `fit`: CSV (header row; only the columns being fitted are parsed) or JSON
//! Lines, one record at a time, with a progress line on a terminal.

use super::{Leaf, Target};
use serde_json::Value;
use std::io::{BufRead, IsTerminal as _, Read, Write as _};
use std::time::{Duration, Instant};
use tensorseam::dynamic::raw::parse_json;

/// A reader that counts the bytes read, for the progress line.
struct Counting<R> {
    inner: R,
    read: u64,
    total: u64,
    shown: Instant,
    live: bool,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.live && self.shown.elapsed() >= Duration::from_millis(200) {
            self.shown = Instant::now();
            let pct = (self.read * 100).checked_div(self.total).unwrap_or(0);
            let bar = "#".repeat((pct / 4) as usize);
            eprint!(
                "\rfit [{bar:<25}] {pct:>3}%  {:.0} of {:.0} MB",
                self.read as f64 / 1e6,
                self.total as f64 / 1e6
            );
            let _ = std::io::stderr().flush();
        }
        Ok(n)
    }
}

/// What was read.
pub struct Seen {
    /// Records read.
    pub rows: u64,
}

/// Why the data could not be read.
#[derive(Debug)]
pub struct ReadError(pub String);

/// Reads `path` (`.csv`, or JSON Lines otherwise) into the targets.
///
/// # Errors
/// When the file cannot be read or is not CSV/JSON where it should be.
pub fn read(path: &std::path::Path, targets: &mut [Target]) -> Result<Seen, ReadError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ReadError(format!("cannot read `{}`: {e}", path.display())))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    // A progress line only where someone watches, and only when it will be seen for a while.
    let live = std::io::stderr().is_terminal() && total > 64 * 1024 * 1024;
    let counting = Counting {
        inner: file,
        read: 0,
        total,
        shown: Instant::now(),
        live,
    };
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let seen = if csv {
        read_csv(counting, targets)
    } else {
        read_jsonl(
            std::io::BufReader::with_capacity(1 << 20, counting),
            targets,
        )
    };
    if live {
        eprintln!();
    }
    seen
}

/// A JSON value's leaves, down `rank` levels of lists.
fn json_leaves(v: &Value, rank: usize, t: &mut Target) {
    if rank > 0 {
        match v {
            Value::Array(items) => items.iter().for_each(|x| json_leaves(x, rank - 1, t)),
            Value::Null => t.missing += 1,
            _ => t.invalid += 1,
        }
        return;
    }
    let leaf = match v {
        Value::Null => Leaf::Null,
        Value::Bool(b) => Leaf::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Leaf::Int(i.into()),
            (_, Some(u)) => Leaf::Int(u.into()),
            _ => Leaf::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        // The JSONL reader's stand-ins for Python's NaN / Infinity tokens.
        Value::String(s) if s == "\u{0}NaN" => Leaf::Float(f64::NAN),
        Value::String(s) if s == "\u{0}Infinity" => Leaf::Float(f64::INFINITY),
        Value::String(s) if s == "\u{0}-Infinity" => Leaf::Float(f64::NEG_INFINITY),
        Value::String(s) => Leaf::Str(s),
        _ => Leaf::Other,
    };
    t.observe(leaf);
}

fn read_jsonl(reader: impl BufRead, targets: &mut [Target]) -> Result<Seen, ReadError> {
    let mut rows = 0;
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| ReadError(format!("line {}: {e}", n + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let v = parse_json(&line).map_err(|e| ReadError(format!("line {}: {e}", n + 1)))?;
        rows += 1;
        for t in targets.iter_mut() {
            match &v {
                Value::Object(m) => json_leaves(m.get(&t.name).unwrap_or(&Value::Null), t.rank, t),
                _ => t.invalid += 1,
            }
        }
    }
    Ok(Seen { rows })
}

/// Whether `s` is a JSON number (what a CSV numeric cell must be, as `encode` reads it).
fn json_number(s: &[u8]) -> bool {
    let mut i = usize::from(s.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if s.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(&mut i) {
        return false;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == s.len()
}

/// A CSV cell of a scalar input, by the rules `encode` reads CSV with.
fn csv_leaf<'a>(cell: &'a [u8], t: &Target) -> Leaf<'a> {
    if cell.is_empty() {
        return Leaf::Null;
    }
    let Ok(text) = std::str::from_utf8(cell) else {
        return Leaf::Other;
    };
    if t.dtype == tensorseam_compiler::ir::DType::Str {
        return Leaf::Str(text);
    }
    let trimmed = text.trim();
    let lower = |w: &str| trimmed.eq_ignore_ascii_case(w);
    if lower("nan") || lower("+nan") || lower("-nan") {
        return Leaf::Float(f64::NAN);
    }
    if lower("inf") || lower("+inf") || lower("infinity") || lower("+infinity") {
        return Leaf::Float(f64::INFINITY);
    }
    if lower("-inf") || lower("-infinity") {
        return Leaf::Float(f64::NEG_INFINITY);
    }
    if lower("true") || lower("false") {
        return Leaf::Bool(lower("true"));
    }
    if !json_number(trimmed.as_bytes()) {
        return Leaf::Other;
    }
    if let Ok(i) = trimmed.parse::<i64>() {
        return Leaf::Int(i.into());
    }
    if let Ok(u) = trimmed.parse::<u64>() {
        return Leaf::Int(u.into());
    }
    trimmed.parse::<f64>().map_or(Leaf::Other, Leaf::Float)
}

fn read_csv(reader: impl Read, targets: &mut [Target]) -> Result<Seen, ReadError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .buffer_capacity(1 << 20)
        .from_reader(reader);
    let headers = csv
        .byte_headers()
        .map_err(|e| ReadError(format!("line 1: {e}")))?
        .clone();
    let columns: Vec<Option<usize>> = targets
        .iter()
        .map(|t| headers.iter().position(|h| h == t.name.as_bytes()))
        .collect();
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(ReadError(format!("line {}: {e}", rows + 2))),
        }
        rows += 1;
        for (t, col) in targets.iter_mut().zip(&columns) {
            let cell = col.and_then(|c| record.get(c)).unwrap_or(b"");
            if t.rank == 0 {
                let leaf = csv_leaf(cell, t);
                t.observe(leaf);
            } else if cell.is_empty() {
                t.missing += 1;
            } else {
                // A shaped input's cell holds its JSON text.
                match std::str::from_utf8(cell)
                    .ok()
                    .and_then(|s| parse_json(s).ok())
                {
                    Some(v) => json_leaves(&v, t.rank, t),
                    None => t.invalid += 1,
                }
            }
        }
    }
    Ok(Seen { rows })
}

#[cfg(test)]
mod tests {
    use super::json_number;

    #[test]
    fn json_numbers() {
        for ok in ["0", "-1", "12.5", "1e9", "-0.25E-3", "10"] {
            assert!(json_number(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "-", "01", ".5", "5.", "+1", "1e", "0x10", "1_000", " 1"] {
            assert!(!json_number(bad.as_bytes()), "{bad}");
        }
    }
}
