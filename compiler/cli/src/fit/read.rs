//! Streaming the data for `fit`: CSV (header row; only the columns being fitted are parsed) or JSON
//! Lines, one record at a time, with a progress line on a terminal.

use crate::output::{say, say_raw};
use serde_json::Value;
use std::io::{BufRead, IsTerminal as _, Read, Seek as _, SeekFrom, Write as _};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tensorseam::dynamic::cells::{arrow_cell, Cell};
use tensorseam::dynamic::fit::{Leaf, Target};
use tensorseam::dynamic::reader::{csv_leaf as csv_leaf_rule, parse_json};
use tensorseam::dynamic::source::{Chunk, Chunks, Format};
use tensorseam::raw::Raw as _;
use tensorseam_compiler::ir::DType;

/// Bytes read so far by every reader of the file, and the progress line they show.
struct Progress {
    read: AtomicU64,
    total: u64,
    live: bool,
    shown: Mutex<Instant>,
}

impl Progress {
    fn add(&self, n: usize) {
        let read = self.read.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if !self.live {
            return;
        }
        let Ok(mut shown) = self.shown.try_lock() else {
            return;
        };
        if shown.elapsed() < Duration::from_millis(200) {
            return;
        }
        *shown = Instant::now();
        let pct = (read * 100).checked_div(self.total).unwrap_or(0).min(100);
        let bar = "#".repeat((pct / 4) as usize);
        say_raw!(
            "\rfit [{bar:<25}] {pct:>3}%  {:.0} of {:.0} MB",
            read as f64 / 1e6,
            self.total as f64 / 1e6
        );
        let _ = std::io::stderr().flush();
    }
}

/// A reader that reports its bytes to the progress line, and notes whether it saw a quote (a
/// quoted field may hold a newline, so a file with quotes is not split at newlines).
struct Counting<'p, R> {
    inner: R,
    progress: &'p Progress,
    quoted: bool,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add(n);
        self.quoted |= buf[..n].contains(&b'"');
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

fn open(path: &Path) -> Result<std::fs::File, ReadError> {
    std::fs::File::open(path)
        .map_err(|e| ReadError(format!("cannot read `{}`: {e}", path.display())))
}

/// Reads every data file `paths` name (files, or directories of parts in sorted order) into the
/// targets: each file into fresh statistics, merged in file order so a skipped value's row is
/// the data's.
///
/// # Errors
/// When a file cannot be read, is of an unknown format, or lacks a column.
pub fn read_all(paths: &[std::path::PathBuf], targets: &mut [Target]) -> Result<Seen, ReadError> {
    let inputs = tensorseam::dynamic::source::files(paths).map_err(|e| ReadError(e.to_string()))?;
    let pristine = targets.to_vec();
    let mut rows = 0u64;
    for (path, format) in inputs {
        let mut part = pristine.clone();
        let seen = match format {
            Format::Csv | Format::Jsonl => read(&path, &mut part)?,
            Format::Parquet | Format::Arrow => read_batches(path.clone(), format, &mut part)?,
        };
        for (a, b) in targets.iter_mut().zip(part) {
            a.merge(b, rows);
        }
        rows += seen.rows;
    }
    Ok(Seen { rows })
}

/// Reads a Parquet or Arrow IPC file's record batches (only the fitted inputs' columns).
fn read_batches(
    path: std::path::PathBuf,
    format: Format,
    targets: &mut [Target],
) -> Result<Seen, ReadError> {
    let wanted: Vec<String> = targets.iter().map(|t| t.column.clone()).collect();
    let shown = path.display().to_string();
    let mut rows = 0u64;
    for chunk in Chunks::new(vec![(path, format)], Some(wanted)) {
        let chunk = chunk.map_err(|e| ReadError(e.to_string()))?;
        let Chunk::Arrow(batch) = chunk else {
            continue;
        };
        let columns: Vec<Option<&dyn arrow_array::Array>> = targets
            .iter()
            .map(|t| batch.column_by_name(&t.column).map(|c| c.as_ref()))
            .collect();
        if rows == 0 {
            let names: Vec<String> = batch
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            absent(
                targets
                    .iter()
                    .zip(&columns)
                    .filter(|(_, c)| c.is_none())
                    .map(|(t, _)| t),
                &names.iter().map(String::as_str).collect::<Vec<_>>(),
                &format!("`{shown}` lacks it"),
            )?;
        }
        for r in 0..batch.num_rows() {
            for (t, col) in targets.iter_mut().zip(&columns) {
                t.row = rows;
                let Some(col) = col else { continue };
                match arrow_cell(*col, r) {
                    Cell::Json(v) => json_leaves(&v, t.rank, t),
                    cell if t.rank > 0 => match cell.kind() {
                        tensorseam::raw::Kind::Null => t.missing += 1,
                        other => t.reject(|| {
                            format!(
                                "wrong_type: expected a list, found {}",
                                tensorseam::value::describe(other.leaf())
                            )
                        }),
                    },
                    cell => t.observe(cell.kind().leaf()),
                }
            }
            rows += 1;
        }
    }
    Ok(Seen { rows })
}

/// Reads `path` (`.csv`, or JSON Lines otherwise) into the targets.
///
/// # Errors
/// When the file cannot be read or is not CSV/JSON where it should be.
pub fn read(path: &Path, targets: &mut [Target]) -> Result<Seen, ReadError> {
    let total = open(path)?.metadata().map(|m| m.len()).unwrap_or(0);
    // A progress line only where someone watches, and only when it will be seen for a while.
    let live = std::io::stderr().is_terminal() && total > 64 * 1024 * 1024;
    let progress = Progress {
        read: AtomicU64::new(0),
        total,
        live,
        shown: Mutex::new(Instant::now()),
    };
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let seen = if csv {
        read_csv(path, total, targets, &progress)
    } else {
        let reader = Counting {
            inner: open(path)?,
            progress: &progress,
            quoted: false,
        };
        read_jsonl(std::io::BufReader::with_capacity(1 << 20, reader), targets)
    };
    if live {
        say!();
    }
    seen
}

/// A JSON value's leaves, down `rank` levels of lists, each taken as the engine takes it.
fn json_leaves(v: &Value, rank: usize, t: &mut Target) {
    if rank > 0 {
        match v {
            Value::Array(items) => items.iter().for_each(|x| json_leaves(x, rank - 1, t)),
            Value::Null => t.missing += 1,
            other => t.reject(|| {
                format!(
                    "wrong_type: expected a list, found {}",
                    tensorseam::value::describe(other.kind().leaf())
                )
            }),
        }
        return;
    }
    t.observe(v.kind().leaf());
}

fn read_jsonl(reader: impl BufRead, targets: &mut [Target]) -> Result<Seen, ReadError> {
    let mut rows = 0;
    // Whether some record carries each target's field, and the first record's fields (for the
    // suggestion when one never appears).
    let mut carried = vec![false; targets.len()];
    let mut keys: Option<Vec<String>> = None;
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| ReadError(format!("line {}: {e}", n + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let v = parse_json(&line).map_err(|e| ReadError(format!("line {}: {e}", n + 1)))?;
        for (t, carried) in targets.iter_mut().zip(&mut carried) {
            t.row = rows;
            match &v {
                Value::Object(m) => {
                    let field = m.get(&t.column);
                    *carried |= field.is_some();
                    json_leaves(field.unwrap_or(&Value::Null), t.rank, t);
                }
                other => t.reject(|| {
                    format!(
                        "wrong_type: a record must be an object, found {}",
                        tensorseam::value::describe(other.kind().leaf())
                    )
                }),
            }
        }
        if keys.is_none() {
            keys = v.as_object().map(|m| m.keys().cloned().collect());
        }
        rows += 1;
    }
    let keys = keys.unwrap_or_default();
    absent(
        targets
            .iter()
            .zip(&carried)
            .filter(|(_, c)| !**c)
            .map(|(t, _)| t),
        &keys.iter().map(String::as_str).collect::<Vec<_>>(),
        "no record has it",
    )?;
    Ok(Seen { rows })
}

/// The error for targets whose column the data lacks: nothing to fit them on.
fn absent<'t>(
    missing: impl Iterator<Item = &'t Target>,
    present: &[&str],
    why: &str,
) -> Result<(), ReadError> {
    let lines: Vec<String> = missing
        .map(|t| {
            let hint = tensorseam::suggest::closest_column(&t.column, present)
                .map_or_else(String::new, |c| {
                    format!("; did you mean `{c}`? (set `column: \"{c}\"` on the input, or rename the data's column)")
                });
            format!(
                "missing_column: input `{}` reads column `{}`, which the data does not have ({why}){hint}",
                t.name, t.column
            )
        })
        .collect();
    if lines.is_empty() {
        Ok(())
    } else {
        Err(ReadError(lines.join("\n")))
    }
}

/// A CSV cell of a scalar input, by the one CSV cell rule `encode` uses (invalid UTF-8 is no
/// value of any input).
fn csv_leaf<'a>(cell: &'a [u8], t: &Target) -> Leaf<'a> {
    std::str::from_utf8(cell).map_or(Leaf::Object, |s| csv_leaf_rule(s, t.dtype.raw()))
}

/// The common number in one pass: `-?digits(.digits)?` with at most 15 significant digits (the
/// JSON number grammar: no leading zeros, no exponent). Its value is exact as a u64 mantissa and a
/// power of ten below 10^22, so one f64 division rounds it correctly (Clinger's fast path) — the
/// value a full parser gives. `None` for anything else, which the full path handles.
fn short_number(s: &[u8]) -> Option<Leaf<'static>> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, body) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut fraction = None;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                if digits > 15 {
                    return None;
                }
            }
            b'.' if fraction.is_none() && i > 0 && i + 1 < body.len() => fraction = Some(i),
            _ => return None,
        }
    }
    let int_len = fraction.unwrap_or(body.len());
    if int_len == 0 || (int_len > 1 && body[0] == b'0') {
        return None;
    }
    let Some(dot) = fraction else {
        let v = mantissa as i128;
        return Some(Leaf::Int(if negative { -v } else { v }));
    };
    let x = mantissa as f64 / POW10[body.len() - dot - 1];
    Some(Leaf::Float(if negative { -x } else { x }))
}

/// Reads a CSV file, split into one part per core at line boundaries (each part's statistics are
/// merged at the end). A file with a quote anywhere is read again in one part: a quoted field may
/// hold a newline, which the split would cut.
fn read_csv(
    path: &Path,
    total: u64,
    targets: &mut [Target],
    progress: &Progress,
) -> Result<Seen, ReadError> {
    // Parts of 32 MiB (none for small files): how the file is cut depends on its size alone, so
    // the fitted values do too.
    let parts = if total > (64 << 20) {
        usize::try_from(total.div_ceil(32 << 20)).unwrap_or(1)
    } else {
        1
    };
    read_csv_parts(path, total, targets, progress, parts)
}

fn read_csv_parts(
    path: &Path,
    total: u64,
    targets: &mut [Target],
    progress: &Progress,
    parts: usize,
) -> Result<Seen, ReadError> {
    let mut head = std::io::BufReader::new(open(path)?);
    let mut header = Vec::new();
    head.read_until(b'\n', &mut header)
        .map_err(|e| ReadError(format!("line 1: {e}")))?;
    let names = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(header.as_slice())
        .byte_records()
        .next()
        .transpose()
        .map_err(|e| ReadError(format!("line 1: {e}")))?
        .unwrap_or_default();
    // Two columns of one name: which one an input reads would be a guess (as `encode` says).
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = names.iter().find(|h| !seen.insert(*h)) {
        return Err(ReadError(format!(
            "line 1: the header names column `{}` twice; rename one",
            tensorseam_compiler::names::printable(&String::from_utf8_lossy(dup))
        )));
    }
    let columns: Vec<Option<usize>> = targets
        .iter()
        .map(|t| names.iter().position(|h| h == t.column.as_bytes()))
        .collect();
    let present: Vec<String> = names
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    absent(
        targets
            .iter()
            .zip(&columns)
            .filter(|(_, c)| c.is_none())
            .map(|(t, _)| t),
        &present.iter().map(String::as_str).collect::<Vec<_>>(),
        "the header lacks it",
    )?;
    let width = names.len();
    let start = header.len() as u64;
    let bounds = split(path, start, total, parts)?;
    let run = |bounds: &[(u64, u64)], single: bool| -> PartResult {
        // Parts are taken in turn by one thread per core, and merged in file order as soon as
        // their predecessors are: the output depends on the file alone, not on the machine, and
        // at most a few parts wait in memory whatever the file's size.
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(bounds.len());
        let next = std::sync::atomic::AtomicUsize::new(0);
        let merged = Mutex::new(Merge {
            next: 0,
            all: targets.to_vec(),
            waiting: std::collections::BTreeMap::new(),
            rows: 0,
            quoted: false,
            error: None,
        });
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(from, to)) = bounds.get(k) else {
                        break;
                    };
                    let mut mine = targets.to_vec();
                    let result = (|| {
                        let mut file = open(path)?;
                        file.seek(SeekFrom::Start(from))
                            .map_err(|e| ReadError(e.to_string()))?;
                        let mut reader = Counting {
                            inner: file.take(to - from),
                            progress,
                            quoted: false,
                        };
                        if single {
                            let rows = read_part(&mut reader, &mut mine, &columns)?;
                            return Ok((mine, rows, false));
                        }
                        match read_part_plain(&mut reader, &mut mine, &columns, width)? {
                            Some(rows) => Ok((mine, rows, false)),
                            None => Ok((mine, 0, true)),
                        }
                    })();
                    if let Ok(mut m) = merged.lock() {
                        m.add(k, result);
                    }
                });
            }
        });
        let m = merged
            .into_inner()
            .map_err(|_| ReadError("a reader thread failed".into()))?;
        if let Some(e) = m.error {
            return Err(e);
        }
        if m.next != bounds.len() {
            return Err(ReadError("a reader thread failed".into()));
        }
        Ok((m.all, m.rows, m.quoted))
    };
    let (mut fitted, mut rows, quoted) = run(&bounds, false)?;
    if quoted {
        (fitted, rows, _) = run(&[(start, total)], true)?;
    }
    for (t, f) in targets.iter_mut().zip(fitted) {
        *t = f;
    }
    Ok(Seen { rows })
}

/// What one part of a CSV file gave: its targets, its rows, and whether it saw a quote.
type PartResult = Result<(Vec<Target>, u64, bool), ReadError>;

/// Parts merged in file order: part `next` is merged as soon as it is done; later parts wait.
struct Merge {
    next: usize,
    all: Vec<Target>,
    waiting: std::collections::BTreeMap<usize, (Vec<Target>, u64, bool)>,
    rows: u64,
    quoted: bool,
    error: Option<ReadError>,
}

impl Merge {
    fn add(&mut self, k: usize, result: PartResult) {
        match result {
            Err(e) => {
                self.error.get_or_insert(e);
            }
            Ok(part) => {
                self.waiting.insert(k, part);
            }
        }
        while let Some((part, rows, quoted)) = self.waiting.remove(&self.next) {
            let before = self.rows;
            self.all
                .iter_mut()
                .zip(part)
                .for_each(|(a, b)| a.merge(b, before));
            self.rows += rows;
            self.quoted |= quoted;
            self.next += 1;
        }
    }
}

/// Byte ranges `[from, to)` after the header, each ending at a line end.
fn split(path: &Path, start: u64, total: u64, parts: usize) -> Result<Vec<(u64, u64)>, ReadError> {
    let mut cuts = vec![start];
    let mut file = std::io::BufReader::new(open(path)?);
    for k in 1..parts {
        let guess = start + (total - start) * k as u64 / parts as u64;
        file.seek(SeekFrom::Start(guess))
            .map_err(|e| ReadError(e.to_string()))?;
        let mut rest = Vec::new();
        let n = file
            .read_until(b'\n', &mut rest)
            .map_err(|e| ReadError(e.to_string()))?;
        let cut = guess + n as u64;
        if cut > *cuts.last().unwrap_or(&start) && cut < total {
            cuts.push(cut);
        }
    }
    cuts.push(total);
    Ok(cuts.windows(2).map(|w| (w[0], w[1])).collect())
}

/// One record's cells into `targets`.
fn take_record<'a>(
    cells: impl Fn(usize) -> Option<&'a [u8]>,
    targets: &mut [Target],
    columns: &[Option<usize>],
    plain: &[Option<bool>],
    row: u64,
) {
    for ((t, col), plain) in targets.iter_mut().zip(columns).zip(plain) {
        t.row = row;
        let cell = col.and_then(&cells).unwrap_or(b"");
        match plain {
            // The common cells, without the general path's checks (none applies to them).
            Some(true) => match short_number(cell) {
                Some(Leaf::Float(x)) if t.dtype == DType::F64 => t.push_plain(x),
                Some(Leaf::Int(i)) => t.push_plain(i as f64),
                _ => t.observe(csv_leaf(cell, t)),
            },
            Some(false) if !cell.is_empty() => t.push_plain_str(cell),
            _ => take_cell(cell, t),
        }
    }
}

/// One cell into its target, by the general path.
fn take_cell(cell: &[u8], t: &mut Target) {
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
            None => t.reject(|| "wrong_type: the cell is not a JSON list".to_string()),
        }
    }
}

/// Reads one part of a CSV file that has no quotes. Without quotes a record is a line and a cell is
/// what lies between commas, so a vectorized search for the two bytes finds every cell. `Ok(None)`
/// when a quote turns up after all (the caller reads the file with the CSV parser instead).
fn read_part_plain(
    mut reader: impl Read,
    targets: &mut [Target],
    columns: &[Option<usize>],
    width: usize,
) -> Result<Option<u64>, ReadError> {
    let plain: Vec<Option<bool>> = targets.iter().map(Target::plain).collect();
    let mut buf: Vec<u8> = Vec::with_capacity(2 << 20);
    let mut chunk = vec![0u8; 1 << 20];
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(width + 1);
    let mut rows = 0u64;
    loop {
        let n = reader
            .read(&mut chunk)
            .map_err(|e| ReadError(e.to_string()))?;
        if memchr::memchr(b'"', &chunk[..n]).is_some() {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        let done = n == 0;
        if done && buf.last().is_some_and(|b| *b != b'\n') {
            buf.push(b'\n');
        }
        let mut start = 0;
        let mut consumed = 0;
        bounds.clear();
        for at in memchr::memchr2_iter(b',', b'\n', &buf) {
            if buf[at] == b',' {
                bounds.push((start, at));
                start = at + 1;
                continue;
            }
            let end = if at > start && buf[at - 1] == b'\r' {
                at - 1
            } else {
                at
            };
            let empty_line = bounds.is_empty() && end == start;
            bounds.push((start, end));
            start = at + 1;
            consumed = start;
            if empty_line {
                bounds.clear();
                continue;
            }
            if bounds.len() != width {
                return Err(ReadError(format!(
                    "CSV: a record has {} fields, the header {width}",
                    bounds.len()
                )));
            }
            let data = &buf;
            take_record(
                |c| bounds.get(c).map(|&(a, b)| &data[a..b]),
                targets,
                columns,
                &plain,
                rows,
            );
            rows += 1;
            bounds.clear();
        }
        buf.drain(..consumed);
        if done {
            break;
        }
    }
    Ok(Some(rows))
}

/// Reads the records of one part of a CSV file (no header) into `targets`.
fn read_part(
    reader: impl Read,
    targets: &mut [Target],
    columns: &[Option<usize>],
) -> Result<u64, ReadError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .buffer_capacity(1 << 20)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let plain: Vec<Option<bool>> = targets.iter().map(Target::plain).collect();
    let mut rows = 0u64;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(ReadError(format!("CSV: {e}"))),
        }
        take_record(|c| record.get(c), targets, columns, &plain, rows);
        rows += 1;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::Progress;
    use std::sync::atomic::AtomicU64;
    use std::sync::Mutex;
    use std::time::Instant;
    use tensorseam::dynamic::fit::{fitted, targets, Target};

    /// The statistics of a file read in several parts equal those of one part, with or without
    /// quotes (a quoted file falls back to one part).
    #[test]
    fn parts_merge_to_the_whole() {
        let schema = "schema p v1 {\n  input x: f64 { scale standardize(fit) }\n  input c: str { encode index(fit) }\n}\n";
        let (_, out) = tensorseam_compiler::compile_bytes("p.seam", schema.as_bytes());
        let checked = out.checked.expect("schema");
        let dir = std::env::temp_dir().join(format!("tensorseam-fit-parts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for quoted in [false, true] {
            let mut text = String::from("x,c\n");
            for i in 0..5000 {
                let c = if quoted && i == 2500 {
                    "\"q,\nq\"".to_string()
                } else {
                    format!("c{}", i % 7)
                };
                text.push_str(&format!("{}.{},{c}\n", i % 97, i % 10));
            }
            let path = dir.join(format!("d{quoted}.csv"));
            std::fs::write(&path, &text).unwrap();
            let total = text.len() as u64;
            let progress = Progress {
                read: AtomicU64::new(0),
                total,
                live: false,
                shown: Mutex::new(Instant::now()),
            };
            let fit = |parts: usize| {
                let mut t = targets(&checked).expect("targets");
                let seen =
                    super::read_csv_parts(&path, total, &mut t, &progress, parts).expect("read");
                let schema = fitted(checked.schema(), t).expect("fitted");
                (seen.rows, tensorseam_compiler::emit::seam::write(&schema))
            };
            let (one, many) = (fit(1), fit(3));
            assert_eq!(one.0, 5000);
            assert_eq!(many.0, 5000);
            // The same cut gives the same bytes; another cut the same up to the last digits.
            assert_eq!(fit(3), many);
            let number = |t: &str, key: &str| -> f64 {
                let at = t.find(key).unwrap() + key.len();
                t[at..]
                    .split([',', ')'])
                    .next()
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap()
            };
            for key in ["mean: ", "std: "] {
                let (a, b) = (number(&one.1, key), number(&many.1, key));
                assert!(
                    (a - b).abs() <= 1e-13 * a.abs(),
                    "{key}{a} vs {b} (quoted: {quoted})"
                );
            }
            let cats = |t: &str| t[t.find("index(").unwrap()..].to_string();
            assert_eq!(cats(&one.1), cats(&many.1));
        }
    }

    /// The quote-free reader and the CSV parser read the same records: CRLF line ends, blank
    /// lines, no newline at the end; a record with the wrong number of cells is an error.
    #[test]
    fn plain_reader_reads_what_the_csv_parser_reads() {
        let schema = "schema p v1 {\n  input x: f64 { scale minmax(fit) }\n  input c: str { encode index(fit) }\n}\n";
        let (_, out) = tensorseam_compiler::compile_bytes("p.seam", schema.as_bytes());
        let checked = out.checked.expect("schema");
        let columns = [Some(0), Some(1)];
        let body = "1.5,a\r\n\n-2,b\r\n\r\n7.25,,\n";
        let bad = "1,a\n2\n";
        for (text, ok) in [
            (body.trim_end_matches("\n").replace(",,", ","), true),
            (bad.to_string(), false),
        ] {
            let mut a = targets(&checked).expect("targets");
            let mut b = a.clone();
            let plain = super::read_part_plain(text.as_bytes(), &mut a, &columns, 2);
            let parsed = super::read_part(text.as_bytes(), &mut b, &columns);
            if ok {
                assert_eq!(plain.expect("plain").expect("no quotes"), 3);
                assert_eq!(parsed.expect("csv"), 3);
                let show = |t: Vec<Target>| {
                    tensorseam_compiler::emit::seam::write(
                        &fitted(checked.schema(), t).expect("fit"),
                    )
                };
                assert_eq!(show(a), show(b));
            } else {
                assert!(plain.is_err() && parsed.is_err());
            }
        }
    }

    #[test]
    fn short_numbers_agree_with_the_cell_rule() {
        // The one-pass path agrees with the full rule wherever it answers.
        for text in [
            "0",
            "-0",
            "12",
            "-7",
            "0.5",
            "-0.25",
            "123.4567",
            "99999999999999.9",
            "0.000001",
            "1.0",
        ] {
            let full = tensorseam::dynamic::reader::csv_leaf(text, tensorseam::value::RawType::F64);
            match (super::short_number(text.as_bytes()), full) {
                (Some(super::Leaf::Float(x)), super::Leaf::Float(y)) => {
                    assert_eq!(x.to_bits(), y.to_bits(), "{text}")
                }
                (Some(super::Leaf::Int(i)), super::Leaf::Int(j)) => assert_eq!(i, j, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        for text in [
            "01",
            "1.",
            ".5",
            "1e5",
            "+1",
            "1234567890123456",
            "--1",
            "1.2.3",
            "",
        ] {
            assert!(super::short_number(text.as_bytes()).is_none(), "{text}");
        }
    }
}
