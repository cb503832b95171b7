//! The dynamic path: load a schema file at run time and encode JSON or CSV records into a
//! [`Batch`] without generated code.
//!
//! ```
//! use tensorseam::dynamic::Schema;
//!
//! let schema = Schema::from_text("tiny.seam", r#"schema tiny v1 {
//!     input x: f32 { scale standardize(mean: 1, std: 2) }
//!     input color: str { encode one_hot("red", "green") }
//!     tensor features = concat(x, color)
//! }"#).unwrap();
//! let records = vec![serde_json::json!({"x": 3.0, "color": "green"})];
//! let batch = schema.encode_json(&records).unwrap();
//! let features = batch.view::<f32, tensorseam::ndarray::Ix2>("features").unwrap();
//! assert_eq!(features.row(0).to_vec(), vec![1.0, 0.0, 1.0]);
//!
//! let bad = vec![serde_json::json!({"x": 3.0, "color": "blue"})];
//! let errors = schema.encode_json(&bad).unwrap_err();
//! assert_eq!(errors.errors()[0].code.as_str(), "unknown_category");
//! assert_eq!(errors.errors()[0].path, "color");
//! ```

pub mod cells;
#[cfg(feature = "columnar")]
pub mod columnar;
pub mod csv_block;
pub mod fit;
pub mod json_cells;
#[cfg(feature = "columnar")]
pub mod parquet_file;
pub mod reader;
pub mod source;
pub mod stream;

pub use crate::engine::EncodeOptions;

use crate::batch::Batch;
use crate::error::ValidationErrors;
use serde_json::Value;
use std::fmt;
use std::io::BufRead;
use tensorseam_compiler::diag::{render, Format};
use tensorseam_compiler::{Checked, Diagnostic, SourceFile};

/// A checked schema, ready to encode records.
#[derive(Clone, Debug)]
pub struct Schema {
    checked: Checked,
    plan: crate::plan::Plan,
}

/// Why a schema could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io(std::path::PathBuf, std::io::Error),
    /// The schema has errors; `rendered` holds them as the compiler prints them.
    Invalid {
        /// Rendered diagnostics (plain text).
        rendered: String,
        /// The diagnostics.
        diagnostics: Vec<Diagnostic>,
    },
    /// Some inputs still have `fit` placeholders.
    Unfitted(Vec<String>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(p, e) => write!(f, "cannot read `{}`: {e}", p.display()),
            LoadError::Invalid { rendered, .. } => write!(f, "the schema has errors:\n{rendered}"),
            LoadError::Unfitted(inputs) => {
                write!(
                f,
                "inputs {} have `fit` placeholders; run `tensorseam fit SCHEMA --data FILE` first",
                inputs.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
            )
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Why records could not be read (before validation).
#[derive(Debug)]
pub enum ReadError {
    /// I/O failure.
    Io(std::io::Error),
    /// A line or row that is not valid JSON or CSV.
    Syntax {
        /// 1-based line (JSONL) or record (CSV) number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read records: {e}"),
            ReadError::Syntax { line, message } => write!(f, "line {line}: {message}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl Schema {
    /// Loads and checks a schema file (`*.yaml`, `*.yml`, `*.seam`).
    ///
    /// # Errors
    /// [`LoadError`] when the file cannot be read, has errors, or has `fit` placeholders.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Schema, LoadError> {
        let path = path.as_ref();
        let bytes = tensorseam_compiler::read_source(path)
            .map_err(|e| LoadError::Io(path.to_path_buf(), e))?;
        let (file, out) = tensorseam_compiler::compile_bytes(&path.to_string_lossy(), &bytes);
        Schema::from_compiled(&file, out)
    }

    /// Checks a schema given as text; `path` names it in messages and decides the syntax.
    ///
    /// # Errors
    /// As [`Schema::load`].
    pub fn from_text(path: &str, text: &str) -> Result<Schema, LoadError> {
        let file = SourceFile::new(path, text);
        let out = tensorseam_compiler::compile(&file);
        Schema::from_compiled(&file, out)
    }

    fn from_compiled(
        file: &SourceFile,
        out: tensorseam_compiler::Compiled,
    ) -> Result<Schema, LoadError> {
        let Some(checked) = out.checked else {
            let rendered = out
                .diagnostics
                .iter()
                .map(|d| render(d, file, Format::Human { color: false }))
                .collect();
            return Err(LoadError::Invalid {
                rendered,
                diagnostics: out.diagnostics,
            });
        };
        Schema::from_checked(checked)
    }

    /// A schema the compiler has already checked (a tool that reports diagnostics itself).
    ///
    /// # Errors
    /// [`LoadError::Unfitted`] when some inputs still have `fit` placeholders.
    pub fn from_checked(checked: Checked) -> Result<Schema, LoadError> {
        let pending = checked.unfitted_inputs();
        if !pending.is_empty() {
            return Err(LoadError::Unfitted(pending));
        }
        // The same plan the derive builds, from the same IR, handed over in memory.
        let plan = crate::plan::Plan::from_ir(&checked.plan_value(), checked.fingerprint())
            .map_err(|e| LoadError::Invalid {
                rendered: e,
                diagnostics: Vec::new(),
            })?;
        Ok(Schema { checked, plan })
    }

    /// The checked schema.
    pub fn checked(&self) -> &Checked {
        &self.checked
    }

    /// Every record field or data column some input reads.
    pub fn columns(&self) -> Vec<String> {
        let mut out: Vec<String> = self.plan.columns.iter().cloned().collect();
        out.sort();
        out
    }

    /// Holds an ONNX model's inputs against this schema's serving tensors (SPEC §13; see
    /// [`crate::onnx`]): `map` pairs a tensor with the model input that takes it where names differ.
    #[cfg(feature = "onnx")]
    pub fn check_onnx(
        &self,
        model: &crate::onnx::Model,
        map: &[(String, String)],
    ) -> Vec<crate::onnx::Finding> {
        crate::onnx::check(model, &self.plan, map)
    }

    /// Whether some tensor has an axis whose length depends on the batch (a dim without `max`):
    /// batches of such a schema differ in width, and a file of several is padded to the widest.
    pub fn has_open_dims(&self) -> bool {
        self.plan.dims.iter().any(|d| d.max.is_none())
    }

    /// Encodes records for serving (labels and weights ignored; extra fields ignored).
    ///
    /// # Errors
    /// Every invalid value, up to [`crate::DEFAULT_ERROR_LIMIT`].
    pub fn encode_json(&self, records: &[Value]) -> Result<Batch, ValidationErrors> {
        self.encode_with(records, &EncodeOptions::default())
    }

    /// Encodes records with labels and weights.
    ///
    /// # Errors
    /// Every invalid value, up to [`crate::DEFAULT_ERROR_LIMIT`].
    pub fn encode_training_json(&self, records: &[Value]) -> Result<Batch, ValidationErrors> {
        self.encode_with(
            records,
            &EncodeOptions {
                training: true,
                ..EncodeOptions::default()
            },
        )
    }

    /// Encodes records with explicit options.
    ///
    /// # Errors
    /// Every invalid value, up to `opts.error_limit`.
    pub fn encode_with(
        &self,
        records: &[Value],
        opts: &EncodeOptions,
    ) -> Result<Batch, ValidationErrors> {
        crate::engine::encode(&self.plan, records, opts, None)
    }

    /// Checks a columnar source's columns (a CSV header, a data frame's columns) once: one
    /// `missing_column` error per active input whose column is absent and not in
    /// `opts.allow_missing`, with a "did you mean" from the columns present.
    ///
    /// # Errors
    /// The `missing_column` errors.
    pub fn check_columns(
        &self,
        present: &[&str],
        opts: &EncodeOptions,
    ) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::with_limit(opts.error_limit);
        crate::columns::check(
            &self.plan,
            present,
            &opts.allow_missing,
            opts.training,
            &mut errors,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Warnings for records (JSON Lines, a list of objects): each input with a fill that no
    /// record carries, which every row then fills — legal, and also what a renamed field looks
    /// like. Inputs in `opts.allow_missing` are not reported.
    pub fn absent_everywhere(&self, records: &[Value], opts: &EncodeOptions) -> Vec<String> {
        let carried = |column: &str| records.iter().any(|r| r.get(column).is_some());
        let keys: Vec<&str> = records
            .iter()
            .find_map(Value::as_object)
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        crate::columns::absent_everywhere(
            &self.plan,
            carried,
            &keys,
            &opts.allow_missing,
            opts.training,
        )
    }

    /// Encodes an Arrow record batch (columns by the inputs' `column`; SPEC §11's type mapping):
    /// column by column on the fast path, or — for shaped and text inputs, and whenever a value is
    /// invalid — through the engine, which reports every error as for any other source.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{Float64Array, RecordBatch, StringArray};
    /// use tensorseam::dynamic::{EncodeOptions, Schema};
    ///
    /// let schema = Schema::from_text("t.seam", r#"schema t v1 {
    ///     input x: f64 from "X" { scale standardize(mean: 1, std: 2) }
    ///     input color: str { encode one_hot("red", "green") }
    ///     tensor features = concat(x, color)
    /// }"#).unwrap();
    /// let batch = RecordBatch::try_from_iter([
    ///     ("X", Arc::new(Float64Array::from(vec![3.0, 5.0])) as _),
    ///     ("color", Arc::new(StringArray::from(vec!["green", "red"])) as _),
    /// ]).unwrap();
    /// let out = schema.encode_arrow(&batch, &EncodeOptions::default()).unwrap();
    /// let f = out.view::<f32, tensorseam::ndarray::Ix2>("features").unwrap();
    /// assert_eq!(f.row(1).to_vec(), vec![2.0, 1.0, 0.0]);
    /// ```
    ///
    /// # Errors
    /// Missing columns, or every invalid value (up to `opts.error_limit`).
    #[cfg(feature = "columnar")]
    pub fn encode_arrow(
        &self,
        batch: &arrow_array::RecordBatch,
        opts: &EncodeOptions,
    ) -> Result<Batch, ValidationErrors> {
        self.encode_arrow_reusing(batch, opts, None)
    }

    /// As [`Schema::encode_arrow`], into `out`, reusing its buffers where dtype and shape fit
    /// (a loop over record batches of one size allocates once, as the derive's `encode_into`).
    ///
    /// # Errors
    /// As [`Schema::encode_arrow`]; `out` is then empty.
    #[cfg(feature = "columnar")]
    pub fn encode_arrow_into(
        &self,
        batch: &arrow_array::RecordBatch,
        opts: &EncodeOptions,
        out: &mut Batch,
    ) -> Result<(), ValidationErrors> {
        let reuse = std::mem::replace(out, Batch::new("", 0, "", Vec::new()));
        *out = self.encode_arrow_reusing(batch, opts, Some(reuse))?;
        Ok(())
    }

    #[cfg(feature = "columnar")]
    fn encode_arrow_reusing(
        &self,
        batch: &arrow_array::RecordBatch,
        opts: &EncodeOptions,
        reuse: Option<Batch>,
    ) -> Result<Batch, ValidationErrors> {
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let present: Vec<&str> = names.iter().map(String::as_str).collect();
        self.check_columns(&present, opts)?;
        if let Some(b) = columnar::encode(&self.plan, &columnar::Source::Arrow(batch), opts, reuse)
        {
            return Ok(b);
        }
        let unknown: Vec<String> = if opts.strict {
            names
                .iter()
                .filter(|n| !self.plan.columns.contains(n.as_str()))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let mut c = cells::Cells::new(&self.plan, batch.num_rows(), unknown);
        for (i, input) in self.plan.inputs.iter().enumerate() {
            if let Some(col) = batch.column_by_name(&input.column) {
                cells::arrow_cells(&mut c, i, col.as_ref());
            }
        }
        crate::engine::encode(&self.plan, &c.rows(), opts, None)
    }

    /// Reads JSON Lines (blank lines skipped; `NaN`, `Infinity`, `-Infinity` accepted).
    ///
    /// # Errors
    /// [`ReadError`] naming the first line that is not JSON.
    pub fn read_jsonl(mut reader: impl BufRead) -> Result<Vec<Value>, ReadError> {
        let mut out = Vec::new();
        let mut buf = Vec::new();
        let mut n = 0;
        loop {
            n += 1;
            let more = reader::read_line(&mut reader, &mut buf, reader::MAX_RECORD_BYTES).map_err(
                |e| match e.kind() {
                    std::io::ErrorKind::InvalidData => ReadError::Syntax {
                        line: n,
                        message: e.to_string(),
                    },
                    _ => ReadError::Io(e),
                },
            )?;
            if !more {
                break;
            }
            let line = std::str::from_utf8(&buf).map_err(|e| ReadError::Syntax {
                line: n,
                message: format!("not UTF-8: {e}"),
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let v = reader::parse_json(line).map_err(|e| ReadError::Syntax {
                line: n,
                message: e.to_string(),
            })?;
            out.push(v);
        }
        Ok(out)
    }

    /// Reads CSV with a header row matched to input names by name. An empty cell is missing;
    /// `nan`, `inf`, `-inf` in any case are accepted; a shaped input's cell holds its JSON text;
    /// columns the schema does not know are kept (for strict mode to report).
    ///
    /// # Errors
    /// [`ReadError`] for rows that are not CSV.
    pub fn read_csv(&self, reader: impl std::io::Read) -> Result<Vec<Value>, ReadError> {
        self.read_csv_table(reader).map(|(_, rows)| rows)
    }

    /// As [`Schema::read_csv`], with the header's column names (for [`Schema::check_columns`]).
    ///
    /// # Errors
    /// [`ReadError`] for rows that are not CSV.
    pub fn read_csv_table(
        &self,
        reader: impl std::io::Read,
    ) -> Result<(Vec<String>, Vec<Value>), ReadError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let headers: Vec<String> = csv
            .headers()
            .map_err(|e| ReadError::Syntax {
                line: 1,
                message: e.to_string(),
            })?
            .iter()
            .map(str::to_string)
            .collect();
        // Two columns of one name: which one an input reads would be a guess.
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = headers.iter().find(|h| !seen.insert(h.as_str())) {
            return Err(ReadError::Syntax {
                line: 1,
                message: format!(
                    "the header names column `{}` twice; rename one",
                    tensorseam_compiler::names::printable(dup)
                ),
            });
        }
        // Cells are typed by the (first) input reading their column; a column no input reads
        // is kept as text (for strict mode to report).
        let typing: Vec<(tensorseam_core::value::RawType, usize)> = headers
            .iter()
            .map(|h| {
                self.checked
                    .inputs
                    .iter()
                    .find(|i| i.column() == h)
                    .map_or((tensorseam_core::value::RawType::Str, 0), |i| {
                        (i.dtype.raw(), i.shape.len())
                    })
            })
            .collect();
        let mut out = Vec::new();
        for (n, record) in csv.records().enumerate() {
            let record = record.map_err(|e| ReadError::Syntax {
                line: n + 2,
                message: e.to_string(),
            })?;
            let mut row = serde_json::Map::new();
            for ((name, (dtype, rank)), cell) in headers.iter().zip(&typing).zip(record.iter()) {
                row.insert(name.clone(), reader::csv_cell(cell, *dtype, *rank));
            }
            out.push(Value::Object(row));
        }
        Ok((headers, out))
    }
}
