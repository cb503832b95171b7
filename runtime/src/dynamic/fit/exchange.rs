//! Fit statistics as JSON (SPEC §12): what one part of the data taught each input with `fit`
//! placeholders, so parts fitted apart — by `tensorseam fit --stats-out`, or the generated Python
//! module's `fit_stats` on a Spark, Dask or Ray partition — merge into the fit of all the data.
//! The layout is documented in `docs/artifacts.md`:
//!
//! ```json
//! {"tensorseam_stats": 1, "schema": "sessions", "fingerprint": "…", "rows": 1000,
//!  "inputs": {"dwell_ms": {"missing": 2, "invalid": 0, "taken": 998, "first_invalid": null,
//!                          "moments": {"count": 998, "mean": 1.5, "m2": 37.25}},
//!             "country": {"missing": 0, "invalid": 0, "taken": 1000, "first_invalid": null,
//!                         "counts": [["de", 400], ["fr", 600]], "dropped": 0}}}
//! ```

use super::stats::Key;
use super::{FitError, Target};
use serde_json::{json, Value};
use tensorseam_compiler::Checked;

/// The format's version.
pub const FORMAT: u64 = 1;

/// A category as JSON: its text, number or boolean.
pub fn key_json(k: &Key) -> Value {
    match k {
        Key::Bool(b) => json!(b),
        Key::Int(i) => i64::try_from(*i)
            .map(Value::from)
            .or_else(|_| u64::try_from(*i).map(Value::from))
            .unwrap_or_else(|_| Value::String(i.to_string())),
        Key::Str(s) => json!(s.as_ref()),
    }
}

/// A category read back.
pub fn key_of(v: &Value) -> Option<Key> {
    match v {
        Value::Bool(b) => Some(Key::Bool(*b)),
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .map(Key::Int),
        Value::String(s) => Some(Key::Str(s.as_str().into())),
        _ => None,
    }
}

/// The statistics file of `targets` after `rows` records of `checked`'s data.
pub fn write(checked: &Checked, targets: &[Target], rows: u64) -> Value {
    let inputs: serde_json::Map<String, Value> = targets
        .iter()
        .map(|t| (t.name.clone(), t.to_json()))
        .collect();
    json!({
        "tensorseam_stats": FORMAT,
        "schema": checked.name,
        "fingerprint": checked.fingerprint(),
        "rows": rows,
        "inputs": inputs,
    })
}

/// Adds a statistics file to `targets` (which have seen `rows_before` records); returns its rows.
///
/// # Errors
/// A file of another format or another schema (by fingerprint), or an input's entry that does
/// not hold its statistic — each named.
pub fn absorb(
    checked: &Checked,
    targets: &mut [Target],
    doc: &Value,
    rows_before: u64,
) -> Result<u64, FitError> {
    let fail = |m: String| FitError(vec![m]);
    if doc.get("tensorseam_stats").and_then(Value::as_u64) != Some(FORMAT) {
        return Err(fail(format!(
            "not a tensorseam statistics file (format {FORMAT}): no `\"tensorseam_stats\": {FORMAT}`"
        )));
    }
    let fingerprint = doc.get("fingerprint").and_then(Value::as_str).unwrap_or("");
    if fingerprint != checked.fingerprint() {
        return Err(fail(format!(
            "statistics of schema `{}` (fingerprint {}) do not belong to `{}` (fingerprint {}): fit every part with the same schema",
            doc.get("schema").and_then(Value::as_str).unwrap_or("?"),
            &fingerprint[..fingerprint.len().min(16)],
            checked.name,
            &checked.fingerprint()[..16]
        )));
    }
    let inputs = doc.get("inputs").and_then(Value::as_object);
    let mut errors = Vec::new();
    for t in targets.iter_mut() {
        match inputs.and_then(|m| m.get(&t.name)) {
            None => errors.push(format!("input `{}` has no statistics in the file", t.name)),
            Some(v) => {
                if let Err(e) = t.absorb_json(v, rows_before) {
                    errors.push(format!("input `{}`: {e}", t.name));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(doc.get("rows").and_then(Value::as_u64).unwrap_or(0))
    } else {
        Err(FitError(errors))
    }
}
