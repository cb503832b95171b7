//! The Rust side of the cross-language parity harness (`tests/python/parity.py`): reads JSONL
//! records on stdin and prints, as one JSON line per batch, what the dynamic path and — for the
//! schemas `tests/common/records.rs` derives — the derive make of them: every tensor's dtype,
//! shape and little-endian bytes (hex), or every error's row, path and code.
//!
//! ```text
//! cargo run -p tensorseam-probe -- SCHEMA batch|rows [--training] < records.jsonl
//! ```
//! `batch` encodes all records as one batch; `rows` encodes each record alone (a line each).

#[path = "../../../runtime/tests/common/records.rs"]
mod records;

/// Structs for generated schemas, when the parity tests supply them (see `build.rs`).
mod generated {
    #[allow(unused_imports)]
    use crate::records::{record, record_key, FromJson};
    #[allow(unused_imports)]
    use tensorseam::ModelInput;
    include!(concat!(env!("OUT_DIR"), "/probe_generated.rs"));
}

use records::{Digit, Everything, Penguin, Scalars, Sequences};
use serde_json::{json, Value};
use std::io::{Read as _, Write as _};
use tensorseam::dynamic::Schema;
use tensorseam::{Batch, ModelInput, ValidationErrors};

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn outcome(r: Result<Batch, ValidationErrors>) -> Value {
    match r {
        Ok(batch) => json!({"tensors": batch.tensors().iter().map(|(name, t)| {
            json!([name, t.dtype().name(), t.shape(), hex(&t.to_le_bytes())])
        }).collect::<Vec<_>>()}),
        Err(e) => json!({
            "errors": e.errors().iter().map(|e| json!([e.row, e.path, e.code.as_str()])).collect::<Vec<_>>(),
            "omitted": e.omitted(),
        }),
    }
}

/// The derive's outcome for `records`, when the schema has a struct here and it holds them all.
pub(crate) fn derived<T: ModelInput>(
    records: &[Value],
    training: bool,
    from_json: impl Fn(&Value) -> Option<T>,
) -> Value {
    let Some(rows) = records.iter().map(from_json).collect::<Option<Vec<T>>>() else {
        return Value::Null;
    };
    outcome(if training {
        T::encode_training_batch(&rows)
    } else {
        T::encode_batch(&rows)
    })
}

fn derive(stem: &str, records: &[Value], training: bool) -> Value {
    match stem {
        "penguins" => derived(records, training, Penguin::from_json),
        "digits" => derived(records, training, Digit::from_json),
        "everything" => derived(records, training, Everything::from_json),
        "scalars" => derived(records, training, Scalars::from_json),
        "sequences" => derived(records, training, Sequences::from_json),
        other => generated::derive(other, records, training).unwrap_or(Value::Null),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(mode)) = (args.first(), args.get(1)) else {
        return Err("usage: probe SCHEMA batch|rows [--training] < records.jsonl".into());
    };
    let training = args.iter().any(|a| a == "--training");
    let schema = Schema::load(path).map_err(|e| e.to_string())?;
    let mut text = Vec::new();
    std::io::stdin().read_to_end(&mut text)?;
    let records = Schema::read_jsonl(text.as_slice()).map_err(|e| e.to_string())?;
    let stem = std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let batches: Vec<&[Value]> = match mode.as_str() {
        "batch" => vec![records.as_slice()],
        _ => records.chunks(1).collect(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for batch in batches {
        let dynamic = outcome(if training {
            schema.encode_training_json(batch)
        } else {
            schema.encode_json(batch)
        });
        let line = json!({"dynamic": dynamic, "derive": derive(&stem, batch, training)});
        writeln!(out, "{line}")?;
    }
    Ok(())
}
