//! Encoding a stream of chunks on every core (SPEC §11): a reader cuts the data into chunks, one
//! worker per core encodes each chunk with the one engine, and the encoded parts are handed on in
//! input order — so the output is the same bytes on any number of cores. At most a few chunks per
//! core are in flight: memory follows what is being written, not the input's size.

use super::cells::{self, Cells};
use super::source::Chunk;
use super::{EncodeOptions, ReadError, Schema};
use crate::batch::Batch;
use crate::error::{ValidationError, ValidationErrors};
use crate::raw::Record;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

/// How a stream is encoded.
#[derive(Clone, Debug, Default)]
pub struct StreamOptions {
    /// The engine's options (training, strict, the error limit, the dim cap, allowed missing
    /// columns).
    pub encode: EncodeOptions,
    /// Threads encoding chunks; 0 for one per core.
    pub workers: usize,
    /// Set aside invalid records ([`Piece::Rejected`]) and encode the others, instead of failing.
    pub rejects: bool,
}

/// An invalid record set aside (`--rejects`): its row in the stream, every error, and the record
/// as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    /// Its row in the stream, from 0.
    pub row: u64,
    /// Every error of the record (rows are the stream's).
    pub errors: Vec<ValidationError>,
    /// The record as read (a CSV row as text, an Arrow row as JSON).
    pub record: Value,
}

/// What the stream hands on, in input order.
pub enum Piece {
    /// The encoded valid records of one chunk (none when every record was rejected).
    Batch(Batch),
    /// A chunk's rejected records.
    Rejected(Vec<Rejected>),
}

/// What a finished stream did.
#[derive(Clone, Debug, Default)]
pub struct StreamReport {
    /// Records read.
    pub rows: u64,
    /// Records set aside as invalid.
    pub rejected: u64,
    /// Warnings: inputs with a fill that no JSON record carried.
    pub warnings: Vec<String>,
}

/// Why a stream stopped.
#[derive(Debug)]
pub enum StreamError {
    /// The data could not be read.
    Read(ReadError),
    /// Invalid records (rows are the stream's); `stopped` when reading stopped at the error limit.
    Invalid {
        /// The errors, up to the limit.
        errors: ValidationErrors,
        /// Whether reading stopped early, at the limit.
        stopped: bool,
    },
    /// The sink failed (a write error, say).
    Sink(String),
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Read(e) => write!(f, "{e}"),
            StreamError::Invalid { errors, .. } => write!(f, "{errors}"),
            StreamError::Sink(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for StreamError {}

/// A chunk's outcome.
struct Done {
    rows: usize,
    batch: Option<Batch>,
    errors: Option<ValidationErrors>,
    rejected: Vec<Rejected>,
    /// Per input: whether some JSON record of the chunk carried its field.
    carried: Vec<bool>,
    /// The first JSON record's keys.
    keys: Option<Vec<String>>,
}

impl Schema {
    /// Encodes `chunks` on every core, handing each chunk's encoded records (and, with
    /// `opts.rejects`, its rejected ones) to `sink` in input order.
    ///
    /// # Errors
    /// A read error, invalid records (without `opts.rejects`; reading stops at the error limit),
    /// missing columns, or the sink's error. What the sink was handed before is the caller's to
    /// discard.
    pub fn encode_stream(
        &self,
        chunks: impl Iterator<Item = Result<Chunk, ReadError>> + Send,
        opts: &StreamOptions,
        sink: &mut dyn FnMut(Piece) -> Result<(), String>,
    ) -> Result<StreamReport, StreamError> {
        let workers = if opts.workers == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            opts.workers
        };
        // In flight: chunks read but not yet handed on. Bounds memory whatever the speeds.
        let window = workers * 3;
        let stop = AtomicBool::new(false);
        let (job_tx, job_rx) = sync_channel::<(usize, Chunk)>(workers);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (done_tx, done_rx) = sync_channel::<(usize, Result<Done, ReadError>)>(window);
        let (permit_tx, permit_rx) = sync_channel::<()>(window);
        for _ in 0..window {
            let _ = permit_tx.send(());
        }
        let mut report = StreamReport::default();
        let mut errors = ValidationErrors::with_limit(opts.encode.error_limit);
        let mut carried = vec![false; self.plan.inputs.len()];
        let mut keys: Option<Vec<String>> = None;
        let outcome: Result<(), StreamError> = std::thread::scope(|scope| {
            let stop = &stop;
            // The reader: chunks in order, each once a permit frees.
            let reader_done = done_tx.clone();
            scope.spawn(move || {
                for (seq, chunk) in chunks.enumerate() {
                    if permit_rx.recv().is_err() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match chunk {
                        Ok(c) => {
                            if job_tx.send((seq, c)).is_err() {
                                break;
                            }
                        }
                        Err(e) => {
                            let _ = reader_done.send((seq, Err(e)));
                            break;
                        }
                    }
                }
            });
            for _ in 0..workers {
                let job_rx = Arc::clone(&job_rx);
                let done_tx = done_tx.clone();
                scope.spawn(move || loop {
                    let job = job_rx.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some((seq, chunk)) = job else { break };
                    let done = if stop.load(Ordering::Relaxed) {
                        Ok(Done::empty())
                    } else {
                        self.encode_chunk(chunk, opts)
                    };
                    if done_tx.send((seq, done)).is_err() {
                        break;
                    }
                });
            }
            drop(done_tx);
            collect(&done_rx, &permit_tx, stop, |done| {
                let first = report.rows as usize;
                report.rows += done.rows as u64;
                for (c, d) in carried.iter_mut().zip(&done.carried) {
                    *c |= *d;
                }
                if keys.is_none() {
                    keys = done.keys;
                }
                if let Some(e) = done.errors {
                    errors.absorb(&e, first);
                    if errors.is_full() || e.unbuildable().is_some() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    return Ok(());
                }
                if !done.rejected.is_empty() {
                    report.rejected += done.rejected.len() as u64;
                    let shifted = done
                        .rejected
                        .into_iter()
                        .map(|mut r| {
                            r.row += first as u64;
                            for e in &mut r.errors {
                                e.row += first;
                            }
                            r
                        })
                        .collect();
                    sink(Piece::Rejected(shifted)).map_err(StreamError::Sink)?;
                }
                if let Some(b) = done.batch {
                    if errors.is_empty() {
                        sink(Piece::Batch(b)).map_err(StreamError::Sink)?;
                    }
                }
                Ok(())
            })
        });
        outcome?;
        if !errors.is_empty() {
            return Err(StreamError::Invalid {
                stopped: stop.load(Ordering::Relaxed),
                errors,
            });
        }
        // JSON records may leave a field out: a filled input none of them carries is a warning.
        if let Some(keys) = keys {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            report.warnings = crate::columns::absent_everywhere(
                &self.plan,
                |column| {
                    self.plan
                        .inputs
                        .iter()
                        .zip(&carried)
                        .any(|(i, c)| *c && i.column == column)
                },
                &keys,
                &opts.encode.allow_missing,
                opts.encode.training,
            );
        }
        Ok(report)
    }

    /// Encodes one chunk (rows local to it).
    fn encode_chunk(&self, chunk: Chunk, opts: &StreamOptions) -> Result<Done, ReadError> {
        let mut enc = opts.encode.clone();
        if opts.rejects {
            // Every error of the chunk: each invalid record is set aside whole.
            enc.error_limit = usize::MAX;
        }
        if let Some(present) = chunk.columns() {
            let present: Vec<&str> = present.iter().map(String::as_str).collect();
            if let Err(e) = self.check_columns(&present, &opts.encode) {
                return Ok(Done {
                    errors: Some(e),
                    ..Done::empty()
                });
            }
        }
        match chunk {
            Chunk::Lines { lines, numbers } => {
                if !opts.encode.strict {
                    let texts: Vec<std::borrow::Cow<'_, str>> =
                        lines.iter().map(|l| crate::json::normalize(l)).collect();
                    if let Some(read) = super::json_cells::read(&self.plan, &texts) {
                        return Ok(self.encode_cells(read, &enc, opts.rejects, &lines));
                    }
                }
                let mut values = Vec::with_capacity(lines.len());
                for (text, line) in lines.iter().zip(&numbers) {
                    let v = super::reader::parse_json(text).map_err(|e| ReadError::Syntax {
                        line: *line,
                        message: e.to_string(),
                    })?;
                    values.push(v);
                }
                let carried = self
                    .plan
                    .inputs
                    .iter()
                    .map(|i| values.iter().any(|v| v.get(&i.column).is_some()))
                    .collect();
                let keys = values
                    .iter()
                    .find_map(Value::as_object)
                    .map(|o| o.keys().cloned().collect());
                let mut done =
                    self.encode_records(&values, &enc, opts.rejects, |r| values[r].clone());
                done.carried = carried;
                done.keys = keys;
                Ok(done)
            }
            Chunk::Csv { header, records } => {
                #[cfg(feature = "columnar")]
                {
                    let source = super::columnar::Source::Csv {
                        header: &header,
                        records: &records,
                    };
                    if let Some(batch) = super::columnar::encode(&self.plan, &source, &enc, None) {
                        return Ok(Done {
                            rows: records.len(),
                            batch: Some(batch),
                            ..Done::empty()
                        });
                    }
                }
                let unknown: Vec<String> = if opts.encode.strict {
                    header
                        .iter()
                        .filter(|h| !self.plan.columns.contains(h.as_str()))
                        .cloned()
                        .collect()
                } else {
                    Vec::new()
                };
                let at: Vec<Option<usize>> = self
                    .plan
                    .inputs
                    .iter()
                    .map(|i| header.iter().position(|h| *h == i.column))
                    .collect();
                let mut cells = Cells::new(&self.plan, records.len(), unknown);
                for r in 0..records.len() {
                    for (i, (input, col)) in self.plan.inputs.iter().zip(&at).enumerate() {
                        if let Some(text) = col.and_then(|c| records.get(r, c)) {
                            cells.set(r, i, cells::csv_cell(text, input));
                        }
                    }
                }
                let rows = cells.rows();
                Ok(self.encode_records(&rows, &enc, opts.rejects, |r| {
                    Value::Object(
                        header
                            .iter()
                            .zip(records.record(r))
                            .map(|(h, t)| {
                                let v = if t.is_empty() {
                                    Value::Null
                                } else {
                                    Value::String(t.to_string())
                                };
                                (h.clone(), v)
                            })
                            .collect(),
                    )
                }))
            }
            #[cfg(feature = "columnar")]
            Chunk::Arrow(batch) => {
                let source = super::columnar::Source::Arrow(&batch);
                if let Some(b) = super::columnar::encode(&self.plan, &source, &enc, None) {
                    return Ok(Done {
                        rows: batch.num_rows(),
                        batch: Some(b),
                        ..Done::empty()
                    });
                }
                let schema = batch.schema();
                let unknown: Vec<String> = if opts.encode.strict {
                    schema
                        .fields()
                        .iter()
                        .map(|f| f.name().clone())
                        .filter(|n| !self.plan.columns.contains(n.as_str()))
                        .collect()
                } else {
                    Vec::new()
                };
                let mut cells = Cells::new(&self.plan, batch.num_rows(), unknown);
                for (i, input) in self.plan.inputs.iter().enumerate() {
                    if let Some(col) = batch.column_by_name(&input.column) {
                        cells::arrow_cells(&mut cells, i, col.as_ref());
                    }
                }
                let rows = cells.rows();
                Ok(self.encode_records(&rows, &enc, opts.rejects, |r| {
                    cells::arrow_record(&batch, r)
                }))
            }
        }
    }

    /// Encodes JSON Lines records read into cells: column by column where the fast path takes
    /// them, else by the row engine over the cells.
    fn encode_cells(
        &self,
        read: super::json_cells::Read<'_>,
        enc: &EncodeOptions,
        rejects: bool,
        lines: &[String],
    ) -> Done {
        #[cfg(feature = "columnar")]
        {
            let rows = read.cells.len();
            let source = super::columnar::Source::Cells(&read.cells);
            if let Some(batch) = super::columnar::encode(&self.plan, &source, enc, None) {
                return Done {
                    rows,
                    batch: Some(batch),
                    carried: read.carried,
                    keys: Some(read.keys),
                    ..Done::empty()
                };
            }
        }
        let records = read.cells.rows();
        let mut done = self.encode_records(&records, enc, rejects, |r| {
            lines
                .get(r)
                .and_then(|l| super::reader::parse_json(l).ok())
                .unwrap_or(Value::Null)
        });
        done.carried = read.carried;
        done.keys = Some(read.keys);
        done
    }

    /// Encodes records; with `rejects`, sets the invalid ones aside (with `record(row)` as read)
    /// and encodes the rest.
    fn encode_records<R: Record>(
        &self,
        records: &[R],
        opts: &EncodeOptions,
        rejects: bool,
        record: impl Fn(usize) -> Value,
    ) -> Done {
        let rows = records.len();
        match crate::engine::encode(&self.plan, records, opts, None) {
            Ok(batch) => Done {
                rows,
                batch: Some(batch),
                ..Done::empty()
            },
            Err(errors) if !rejects || errors.unbuildable().is_some() => Done {
                rows,
                errors: Some(errors),
                ..Done::empty()
            },
            Err(errors) => {
                let mut by_row: BTreeMap<usize, Vec<ValidationError>> = BTreeMap::new();
                for e in errors.errors() {
                    by_row.entry(e.row).or_default().push(e.clone());
                }
                let keep: Vec<&R> = (0..rows)
                    .filter(|r| !by_row.contains_key(r))
                    .map(|r| &records[r])
                    .collect();
                let rejected = by_row
                    .into_iter()
                    .map(|(row, errors)| Rejected {
                        row: row as u64,
                        errors,
                        record: record(row),
                    })
                    .collect();
                let batch = if keep.is_empty() {
                    None
                } else {
                    match crate::engine::encode(&self.plan, &keep, opts, None) {
                        Ok(b) => Some(b),
                        Err(e) => {
                            return Done {
                                rows,
                                errors: Some(e),
                                ..Done::empty()
                            }
                        }
                    }
                };
                Done {
                    rows,
                    batch,
                    rejected,
                    ..Done::empty()
                }
            }
        }
    }
}

impl<R: Record> Record for &R {
    fn field(&self, index: usize, name: &str) -> Result<Option<&dyn crate::raw::Raw>, ()> {
        (*self).field(index, name)
    }
    fn unknown_fields(&self, known: &dyn Fn(&str) -> bool) -> Vec<String> {
        (*self).unknown_fields(known)
    }
}

impl Done {
    fn empty() -> Done {
        Done {
            rows: 0,
            batch: None,
            errors: None,
            rejected: Vec::new(),
            carried: Vec::new(),
            keys: None,
        }
    }
}

/// Receives chunk outcomes and hands them to `each` in input order, returning a permit to the
/// reader for every chunk handed on.
fn collect(
    done: &Receiver<(usize, Result<Done, ReadError>)>,
    permits: &std::sync::mpsc::SyncSender<()>,
    stop: &AtomicBool,
    mut each: impl FnMut(Done) -> Result<(), StreamError>,
) -> Result<(), StreamError> {
    let mut waiting: BTreeMap<usize, Result<Done, ReadError>> = BTreeMap::new();
    let mut next = 0usize;
    let mut failed: Option<StreamError> = None;
    for (seq, outcome) in done.iter() {
        waiting.insert(seq, outcome);
        while let Some(outcome) = waiting.remove(&next) {
            next += 1;
            let _ = permits.try_send(());
            if failed.is_some() || stop.load(Ordering::Relaxed) {
                continue;
            }
            let result = match outcome {
                Ok(d) => each(d),
                Err(e) => Err(StreamError::Read(e)),
            };
            if let Err(e) = result {
                stop.store(true, Ordering::Relaxed);
                failed = Some(e);
            }
        }
    }
    failed.map_or(Ok(()), Err)
}
