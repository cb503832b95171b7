//! The tensorseam runtime: what a model's serving code and a trainer's tooling depend on.
//!
//! - [`Batch`]: the ordered, named tensors a schema produces, with typed views;
//! - [`ValidationErrors`]: every invalid value of a batch, with row, path and a stable code;
//! - the encoding and scaling primitives (one function per operation) that both the derive's
//!   generated code and the dynamic path call, so the two agree by construction;
//! - `.npz` and `.safetensors` batch files carrying the schema fingerprint ([`files`]);
//! - with feature `dynamic`: [`dynamic::Schema`] loads a schema file at run time and encodes JSON
//!   and CSV records without generated code.
#![deny(missing_docs)]

pub mod atomic;
mod batch;
#[cfg(feature = "dynamic")]
mod columns;
mod engine;
mod error;
mod fast;
pub mod files;
pub mod json;
#[cfg(feature = "onnx")]
pub mod onnx;
mod plan;
pub mod raw;
mod tensor;

#[cfg(feature = "dynamic")]
pub mod dynamic;

pub use batch::{Batch, BatchError};
pub use engine::{EncodeOptions, DEFAULT_MAX_DIM_LEN};
pub use error::{ErrorCode, ValidationError, ValidationErrors, DEFAULT_ERROR_LIMIT};
pub use ndarray;
pub use tensor::{AllocError, DType, Element, Tensor};
pub use tensorseam_core::{ops, scale, suggest, value};

/// What generated code calls. Not a public API: names may change between versions.
#[doc(hidden)]
pub mod __private {
    pub use crate::engine::{encode, DEFAULT_MAX_DIM_LEN};
    pub use crate::fast::{slice, tensors, zero_rows, FastElem, BLOCK_ROWS};
    pub use crate::ops::*;
    pub use crate::plan::Plan;
    pub use crate::raw::{Raw, Record};
    pub use crate::value;
    pub use crate::Batch;
    pub use std::sync::OnceLock;
}

/// Checks a struct against its schema at compile time (see [`ModelInput`]).
#[cfg(feature = "derive")]
pub use tensorseam_macros::ModelInput;

/// A struct checked against a schema by `#[derive(ModelInput)]`: its fields are exactly the
/// schema's inputs (labels and weights may be left out), with the exact Rust types the schema's
/// dtypes and shapes call for.
///
/// Encoding runs the same engine as the dynamic path ([`dynamic::Schema`] with feature
/// `dynamic`), so both give the same tensors and the same errors, rows and paths.
pub trait ModelInput: Sized + raw::Record {
    /// The schema's name.
    const SCHEMA_NAME: &'static str;
    /// The schema's version.
    const SCHEMA_VERSION: u64;
    /// The schema's fingerprint (SHA-256 of its canonical IR).
    const FINGERPRINT: &'static str;
    /// The serving tensors, in order.
    const TENSORS: &'static [&'static str];

    /// The encoding plan (generated).
    #[doc(hidden)]
    fn plan() -> &'static __private::Plan;

    /// The specialized encoder the derive generates for schemas it covers: `Err(reuse)` (handing
    /// the buffers back) when the schema is not covered or a value is invalid, so the engine runs.
    #[doc(hidden)]
    fn fast(rows: &[Self], training: bool, reuse: Option<Batch>) -> Result<Batch, Option<Batch>> {
        let _ = (rows, training);
        Err(reuse)
    }

    /// Validates and encodes rows for serving (labels and weights ignored).
    ///
    /// # Errors
    /// Every invalid value, with row, path and code, up to [`DEFAULT_ERROR_LIMIT`].
    fn encode_batch(rows: &[Self]) -> Result<Batch, ValidationErrors> {
        match Self::fast(rows, false, None) {
            Ok(batch) => Ok(batch),
            Err(reuse) => engine::encode(Self::plan(), rows, &EncodeOptions::default(), reuse),
        }
    }

    /// Validates and encodes rows for training: labels and weights are required and included.
    ///
    /// # Errors
    /// As [`ModelInput::encode_batch`].
    fn encode_training_batch(rows: &[Self]) -> Result<Batch, ValidationErrors> {
        let opts = EncodeOptions {
            training: true,
            ..EncodeOptions::default()
        };
        match Self::fast(rows, true, None) {
            Ok(batch) => Ok(batch),
            Err(reuse) => engine::encode(Self::plan(), rows, &opts, reuse),
        }
    }

    /// Validates and encodes rows with explicit options: training, the error limit, the cap on
    /// dims without `max` ([`EncodeOptions::max_dim_len`]).
    ///
    /// # Errors
    /// Every invalid value, up to `opts.error_limit`.
    fn encode_with(rows: &[Self], opts: &EncodeOptions) -> Result<Batch, ValidationErrors> {
        // The generated fast path knows the default cap only.
        let reuse = if opts.max_dim_len == DEFAULT_MAX_DIM_LEN {
            match Self::fast(rows, opts.training, None) {
                Ok(batch) => return Ok(batch),
                Err(reuse) => reuse,
            }
        } else {
            None
        };
        engine::encode(Self::plan(), rows, opts, reuse)
    }

    /// Validates and encodes JSON records (objects keyed by column) for serving, as rows of this
    /// struct would be: the same tensors and the same errors. For a server that receives JSON,
    /// this names a record serde cannot read into the struct (a string for a number, a missing
    /// field) with coded errors — `wrong_type` at its row and field — instead of serde's message.
    ///
    /// # Errors
    /// As [`ModelInput::encode_batch`].
    fn encode_json(records: &[serde_json::Value]) -> Result<Batch, ValidationErrors> {
        engine::encode(Self::plan(), records, &EncodeOptions::default(), None)
    }

    /// Encodes rows into `batch`, reusing its buffers when the shapes match (a serving loop with a
    /// steady batch size allocates nothing). On error `batch` is left empty.
    ///
    /// # Errors
    /// As [`ModelInput::encode_batch`].
    fn encode_into(rows: &[Self], batch: &mut Batch) -> Result<(), ValidationErrors> {
        let old = std::mem::replace(batch, Batch::new("", 0, "", Vec::new()));
        *batch = match Self::fast(rows, false, Some(old)) {
            Ok(b) => b,
            Err(reuse) => engine::encode(Self::plan(), rows, &EncodeOptions::default(), reuse)?,
        };
        Ok(())
    }
}
