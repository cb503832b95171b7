//! Reading data files as chunks of records (SPEC §11): JSON Lines and CSV always; Parquet and
//! Arrow IPC (`.arrow`, `.feather`) with the `columnar` feature. One file, several files, or a
//! directory of parts (read in sorted path order). A chunk holds up to [`CHUNK_ROWS`] records,
//! cut where the records are, never where the machine is: how many cores read them changes
//! nothing in what is encoded.

use super::ReadError;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Records per chunk: enough that a chunk's fixed costs vanish, few enough that one chunk per core
/// stays small in memory.
pub const CHUNK_ROWS: usize = 16_384;

/// A data file's format, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.jsonl`, `.ndjson`, `.json`: one JSON object per line.
    Jsonl,
    /// `.csv`: a header row, then records.
    Csv,
    /// `.parquet`.
    Parquet,
    /// `.arrow`, `.feather`, `.ipc`: Arrow IPC (file or stream format).
    Arrow,
}

impl Format {
    /// The format of `path`, by its extension.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            "arrow" | "feather" | "ipc" => Some(Format::Arrow),
            _ => None,
        }
    }

    /// Whether the format knows its columns before any record (a header, a schema).
    pub fn is_columnar(self) -> bool {
        self != Format::Jsonl
    }
}

/// The data files `paths` name, in reading order: each file as given, each directory's files of
/// a known format in sorted path order (hidden files and `_SUCCESS`-style markers skipped).
///
/// # Errors
/// A path that cannot be read, a file of an unknown format, a directory with no data file, or
/// formats mixed (one stream has one record layout).
pub fn files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Format)>, ReadError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| io(path, &e))?;
        if meta.is_dir() {
            let mut parts: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| io(path, &e))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    !name.starts_with('.') && !name.starts_with('_') && Format::of(p).is_some()
                })
                .collect();
            parts.sort();
            if parts.is_empty() {
                return Err(ReadError::Io(std::io::Error::other(format!(
                    "`{}` holds no .jsonl, .csv, .parquet or .arrow file",
                    path.display()
                ))));
            }
            for p in parts {
                let f = Format::of(&p).unwrap_or(Format::Jsonl);
                out.push((p, f));
            }
        } else {
            let f = Format::of(path).ok_or_else(|| {
                ReadError::Io(std::io::Error::other(format!(
                    "`{}`: data is read from .jsonl, .csv, .parquet or .arrow/.feather files",
                    path.display()
                )))
            })?;
            out.push((path.clone(), f));
        }
    }
    if let Some((first, f)) = out.first() {
        if let Some((other, g)) = out.iter().find(|(_, g)| g != f) {
            return Err(ReadError::Io(std::io::Error::other(format!(
                "`{}` is {g:?} but `{}` is {f:?}: one run reads one format",
                other.display(),
                first.display()
            ))));
        }
    }
    Ok(out)
}

fn io(path: &Path, e: &dyn std::fmt::Display) -> ReadError {
    ReadError::Io(std::io::Error::other(format!(
        "cannot read `{}`: {e}",
        path.display()
    )))
}

/// A chunk of records as read, before they are encoded.
pub enum Chunk {
    /// JSON Lines: the lines' text (blank lines dropped), parsed by the worker that encodes them.
    Lines {
        /// Each record's text.
        lines: Vec<String>,
        /// The file line of each record (for syntax errors).
        numbers: Vec<usize>,
    },
    /// CSV records with the file's header.
    Csv {
        /// The header's column names.
        header: std::sync::Arc<Vec<String>>,
        /// The records.
        records: super::csv_block::CsvBlock,
    },
    /// An Arrow record batch (from Parquet or Arrow IPC).
    #[cfg(feature = "columnar")]
    Arrow(arrow_array::RecordBatch),
}

impl Chunk {
    /// The number of records.
    pub fn len(&self) -> usize {
        match self {
            Chunk::Lines { lines, .. } => lines.len(),
            Chunk::Csv { records, .. } => records.len(),
            #[cfg(feature = "columnar")]
            Chunk::Arrow(b) => b.num_rows(),
        }
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first `n` records, and the rest.
    fn split(self, n: usize) -> (Chunk, Chunk) {
        match self {
            Chunk::Lines {
                mut lines,
                mut numbers,
            } => {
                let rest = Chunk::Lines {
                    lines: lines.split_off(n),
                    numbers: numbers.split_off(n),
                };
                (Chunk::Lines { lines, numbers }, rest)
            }
            Chunk::Csv { header, records } => {
                let (records, rest) = records.split(n);
                let rest = Chunk::Csv {
                    header: header.clone(),
                    records: rest,
                };
                (Chunk::Csv { header, records }, rest)
            }
            #[cfg(feature = "columnar")]
            Chunk::Arrow(b) => {
                let rest = b.slice(n, b.num_rows() - n);
                (Chunk::Arrow(b.slice(0, n)), Chunk::Arrow(rest))
            }
        }
    }

    /// The columns a columnar chunk has (`None` for JSON Lines).
    pub fn columns(&self) -> Option<Vec<String>> {
        match self {
            Chunk::Lines { .. } => None,
            Chunk::Csv { header, .. } => Some(header.to_vec()),
            #[cfg(feature = "columnar")]
            Chunk::Arrow(b) => Some(
                b.schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect(),
            ),
        }
    }
}

/// The chunks of every file in order; each file's columns are checked by the caller as they
/// appear (a new file's header or schema starts a chunk).
pub struct Chunks {
    files: std::vec::IntoIter<(PathBuf, Format)>,
    current: Option<Reader>,
    /// Only these columns are read from Parquet and Arrow (the inputs'); `None` reads all.
    #[cfg_attr(not(feature = "columnar"), allow(dead_code))]
    wanted: Option<Vec<String>>,
    /// No chunk crosses a multiple of this many records (each output part is whole chunks).
    part_rows: Option<usize>,
    /// Records handed out so far.
    emitted: usize,
    /// The rest of a chunk cut at a part boundary.
    carry: Option<Chunk>,
}

enum Reader {
    Lines {
        reader: Box<dyn BufRead + Send>,
        line: usize,
        path: PathBuf,
    },
    Csv {
        reader: csv::Reader<std::io::BufReader<std::fs::File>>,
        header: std::sync::Arc<Vec<String>>,
        path: PathBuf,
    },
    #[cfg(feature = "columnar")]
    Batches {
        batches: Box<dyn Iterator<Item = Result<arrow_array::RecordBatch, String>> + Send>,
        path: PathBuf,
    },
}

impl Chunks {
    /// Chunks of `files` (from [`files`]); from Parquet and Arrow only the `wanted` columns are
    /// read (every column when `None`, as strict mode needs).
    pub fn new(files: Vec<(PathBuf, Format)>, wanted: Option<Vec<String>>) -> Chunks {
        Chunks {
            files: files.into_iter(),
            current: None,
            wanted,
            part_rows: None,
            emitted: 0,
            carry: None,
        }
    }

    /// Cuts chunks so that none crosses a multiple of `rows` records (`--rows-per-file`).
    #[must_use]
    pub fn parts_of(mut self, rows: usize) -> Chunks {
        self.part_rows = Some(rows.max(1));
        self
    }

    /// The next chunk, cut at a part boundary.
    fn next_cut(&mut self) -> Result<Option<Chunk>, ReadError> {
        let chunk = match self.carry.take() {
            Some(c) => c,
            None => match self.next_chunk()? {
                Some(c) => c,
                None => return Ok(None),
            },
        };
        let chunk = match self.part_rows {
            Some(part) => {
                let room = part - self.emitted % part;
                if chunk.len() > room {
                    let (head, rest) = chunk.split(room);
                    self.carry = Some(rest);
                    head
                } else {
                    chunk
                }
            }
            None => chunk,
        };
        self.emitted += chunk.len();
        Ok(Some(chunk))
    }

    fn open(&self, path: &Path, format: Format) -> Result<Reader, ReadError> {
        let file = std::fs::File::open(path).map_err(|e| io(path, &e))?;
        if !file.metadata().map_err(|e| io(path, &e))?.is_file() {
            return Err(io(path, &"not a regular file"));
        }
        Ok(match format {
            Format::Jsonl => Reader::Lines {
                reader: Box::new(std::io::BufReader::with_capacity(1 << 20, file)),
                line: 0,
                path: path.to_path_buf(),
            },
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(false)
                    .buffer_capacity(1 << 20)
                    .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
                let header: Vec<String> = reader
                    .headers()
                    .map_err(|e| syntax(path, 1, &e))?
                    .iter()
                    .map(str::to_string)
                    .collect();
                let mut seen = std::collections::HashSet::new();
                if let Some(dup) = header.iter().find(|h| !seen.insert(h.as_str())) {
                    return Err(syntax(
                        path,
                        1,
                        &format!(
                            "the header names column `{}` twice; rename one",
                            tensorseam_compiler::names::printable(dup)
                        ),
                    ));
                }
                Reader::Csv {
                    reader,
                    header: std::sync::Arc::new(header),
                    path: path.to_path_buf(),
                }
            }
            #[cfg(feature = "columnar")]
            Format::Parquet => Reader::Batches {
                batches: columnar::parquet(file, path, self.wanted.as_deref())?,
                path: path.to_path_buf(),
            },
            #[cfg(feature = "columnar")]
            Format::Arrow => Reader::Batches {
                batches: columnar::ipc(file, path, self.wanted.as_deref())?,
                path: path.to_path_buf(),
            },
            #[cfg(not(feature = "columnar"))]
            Format::Parquet | Format::Arrow => {
                return Err(io(
                    path,
                    &"Parquet and Arrow need the `columnar` feature of `tensorseam`",
                ))
            }
        })
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>, ReadError> {
        loop {
            if self.current.is_none() {
                let Some((path, format)) = self.files.next() else {
                    return Ok(None);
                };
                self.current = Some(self.open(&path, format)?);
            }
            let chunk = match self.current.as_mut() {
                Some(Reader::Lines { reader, line, path }) => lines(reader, line, path)?,
                Some(Reader::Csv {
                    reader,
                    header,
                    path,
                }) => csv_records(reader, header, path)?,
                #[cfg(feature = "columnar")]
                Some(Reader::Batches { batches, path }) => match batches.next() {
                    None => None,
                    Some(Ok(b)) => Some(Chunk::Arrow(b)),
                    Some(Err(e)) => return Err(io(path, &e)),
                },
                None => None,
            };
            match chunk {
                Some(c) => return Ok(Some(c)),
                None => self.current = None,
            }
        }
    }
}

impl Iterator for Chunks {
    type Item = Result<Chunk, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_cut() {
            Ok(c) => c.map(Ok),
            Err(e) => {
                // A file that cannot be read ends the stream.
                self.files = Vec::new().into_iter();
                self.current = None;
                Some(Err(e))
            }
        }
    }
}

pub(super) fn syntax(path: &Path, line: usize, e: &dyn std::fmt::Display) -> ReadError {
    ReadError::Syntax {
        line,
        message: format!("`{}`: {e}", path.display()),
    }
}

fn lines(
    reader: &mut Box<dyn BufRead + Send>,
    line: &mut usize,
    path: &Path,
) -> Result<Option<Chunk>, ReadError> {
    let mut out = Vec::new();
    let mut numbers = Vec::new();
    let mut buf = Vec::new();
    while out.len() < CHUNK_ROWS {
        *line += 1;
        let more = super::reader::read_line(reader, &mut buf, super::reader::MAX_RECORD_BYTES)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => syntax(path, *line, &e),
                _ => io(path, &e),
            })?;
        if !more {
            break;
        }
        let text = std::str::from_utf8(&buf)
            .map_err(|e| syntax(path, *line, &format!("not UTF-8: {e}")))?;
        if text.trim().is_empty() {
            continue;
        }
        out.push(text.to_string());
        numbers.push(*line);
    }
    Ok((!out.is_empty()).then_some(Chunk::Lines {
        lines: out,
        numbers,
    }))
}

fn csv_records(
    reader: &mut csv::Reader<std::io::BufReader<std::fs::File>>,
    header: &std::sync::Arc<Vec<String>>,
    path: &Path,
) -> Result<Option<Chunk>, ReadError> {
    let Some(records) = super::csv_block::CsvBlock::read(reader, CHUNK_ROWS, path)? else {
        return Ok(None);
    };
    Ok(Some(Chunk::Csv {
        header: header.clone(),
        records,
    }))
}

#[cfg(feature = "columnar")]
mod columnar {
    use super::{io, CHUNK_ROWS};
    use arrow_array::RecordBatch;
    use std::path::Path;

    type Batches = Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>;

    /// A Parquet file's record batches, only the `wanted` top-level columns read.
    pub fn parquet(
        file: std::fs::File,
        path: &Path,
        wanted: Option<&[String]>,
    ) -> Result<Batches, super::ReadError> {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        use parquet::arrow::ProjectionMask;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| io(path, &e))?;
        let builder = match wanted {
            Some(names) => {
                let roots: Vec<usize> = builder
                    .schema()
                    .fields()
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| names.iter().any(|n| n == f.name()))
                    .map(|(i, _)| i)
                    .collect();
                let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
                builder.with_projection(mask)
            }
            None => builder,
        };
        let reader = builder
            .with_batch_size(CHUNK_ROWS)
            .build()
            .map_err(|e| io(path, &e))?;
        Ok(Box::new(reader.map(|r| r.map_err(|e| e.to_string()))))
    }

    /// An Arrow IPC file's (or stream's) record batches, cut to chunks, only the `wanted` columns.
    pub fn ipc(
        file: std::fs::File,
        path: &Path,
        wanted: Option<&[String]>,
    ) -> Result<Batches, super::ReadError> {
        use std::io::{Seek, SeekFrom};
        let project = |schema: &arrow_schema::Schema| -> Option<Vec<usize>> {
            wanted.map(|names| {
                schema
                    .fields()
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| names.iter().any(|n| n == f.name()))
                    .map(|(i, _)| i)
                    .collect()
            })
        };
        let mut file = file;
        let batches: Batches = match arrow_ipc::reader::FileReader::try_new(&mut file, None) {
            Ok(reader) => {
                let projection = project(&reader.schema());
                drop(reader);
                file.seek(SeekFrom::Start(0)).map_err(|e| io(path, &e))?;
                let reader = arrow_ipc::reader::FileReader::try_new(file, projection)
                    .map_err(|e| io(path, &e))?;
                Box::new(reader.map(|r| r.map_err(|e| e.to_string())))
            }
            Err(_) => {
                file.seek(SeekFrom::Start(0)).map_err(|e| io(path, &e))?;
                let reader =
                    arrow_ipc::reader::StreamReader::try_new(std::io::BufReader::new(file), None)
                        .map_err(|e| io(path, &e))?;
                let projection = project(&reader.schema());
                Box::new(reader.map(move |r| {
                    let b = r.map_err(|e| e.to_string())?;
                    match &projection {
                        Some(p) => b.project(p).map_err(|e| e.to_string()),
                        None => Ok(b),
                    }
                }))
            }
        };
        // Batches as a writer made them may be any size: cut the large ones to chunks.
        Ok(Box::new(batches.flat_map(
            |r| -> Vec<Result<RecordBatch, String>> {
                match r {
                    Err(e) => vec![Err(e)],
                    Ok(b) if b.num_rows() <= CHUNK_ROWS => vec![Ok(b)],
                    Ok(b) => (0..b.num_rows())
                        .step_by(CHUNK_ROWS)
                        .map(|at| Ok(b.slice(at, CHUNK_ROWS.min(b.num_rows() - at))))
                        .collect(),
                }
            },
        )))
    }
}
