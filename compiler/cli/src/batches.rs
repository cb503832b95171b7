//! `verify`: batch files against a schema, and the validation report `encode` prints.

use crate::args::Color;
use crate::load::with_schema;
use crate::output::{out, say};
use std::path::Path;
use tensorseam::files::{self, BatchFile};
use tensorseam::ValidationErrors;
use tensorseam_compiler::explain;
use tensorseam_compiler::ir::{TensorAxis, TensorKind};
use tensorseam_compiler::names::printable;

/// The validation report, every name and value from the data escaped for the terminal. Errors
/// that repeat per row (one column of strings for a number input, one extra field in strict
/// mode) read as one line with the count and the first rows.
pub(crate) fn report(errors: &ValidationErrors) -> String {
    let n = errors.len();
    let what = if errors.errors().iter().all(|e| e.code.is_batch_level()) {
        "missing column"
    } else {
        "invalid value"
    };
    let mut text = format!("{n} {what}{}:\n", if n == 1 { "" } else { "s" });
    for line in errors.grouped_lines() {
        text.push_str(&format!("  {}\n", printable(&line)));
    }
    if errors.omitted() > 0 {
        text.push_str(&format!(
            "  ... and {} more (raise --error-limit to see them)\n",
            errors.omitted()
        ));
    }
    text
}

/// `tensorseam verify`.
pub fn verify(schema: &Path, batch: &Path, color: Color) -> u8 {
    // Headers only: what verify compares costs the same for a kilobyte and a terabyte of data.
    let file = match files::read_headers(batch) {
        Ok(f) => f,
        Err(e) => {
            say!("error: {}", printable(&e.to_string()));
            return 2;
        }
    };
    with_schema(schema, color, |checked| {
        let problems = differences(checked, &file);
        if problems.is_empty() {
            return out(&format!(
                "{}: matches {} v{} ({} tensors)\n",
                printable(&batch.display().to_string()),
                checked.name,
                checked.version,
                file.entries.len()
            ));
        }
        let listed: String = problems
            .iter()
            .map(|p| format!("{}\n", printable(p)))
            .collect();
        if out(&listed) != 0 {
            return 2;
        }
        say!(
            "error: {} difference{} between {} and the schema",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            batch.display()
        );
        1
    })
}

fn shape_text(shape: &[usize]) -> String {
    format!(
        "[{}]",
        shape
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Every way the file differs from the schema, one line each.
pub fn differences(checked: &tensorseam_compiler::Checked, file: &BatchFile) -> Vec<String> {
    let mut out = Vec::new();
    match &file.meta {
        None => out.push(
            "metadata: the file has no `__tensorseam__` entry (not written by tensorseam)"
                .to_string(),
        ),
        Some(m) if m.fingerprint != checked.fingerprint() => out.push(format!(
            "fingerprint: expected {} ({} v{}), found {} ({} v{})",
            checked.fingerprint(),
            checked.name,
            checked.version,
            m.fingerprint,
            m.schema,
            m.version
        )),
        Some(_) => {}
    }
    let training = checked
        .specs
        .iter()
        .filter(|t| matches!(t.kind, TensorKind::Label | TensorKind::Weight))
        .any(|t| file.entries.iter().any(|(n, _)| *n == t.name));
    let mut batch: Option<(usize, &str)> = None;
    let mut dims: Vec<(String, usize, String)> = Vec::new();
    for spec in &checked.specs {
        let optional = matches!(spec.kind, TensorKind::Label | TensorKind::Weight) && !training;
        let expected = format!("{} {}", spec.dtype, explain::shape(&spec.axes));
        let Some((_, entry)) = file.entries.iter().find(|(n, _)| *n == spec.name) else {
            if !optional {
                out.push(format!(
                    "tensor `{}`: expected {expected}, not in the file",
                    spec.name
                ));
            }
            continue;
        };
        let found = format!("{} {}", entry.dtype_name(), shape_text(entry.shape()));
        let shape = entry.shape();
        // The first tensor found sets the batch size, whatever else is wrong with it.
        if let (None, Some(&n)) = (batch, shape.first()) {
            batch = Some((n, spec.name.as_str()));
        }
        let mut ok = entry.dtype_name() == spec.dtype.name() && shape.len() == spec.axes.len();
        if ok {
            for (axis, &n) in spec.axes.iter().zip(shape) {
                match axis {
                    TensorAxis::Batch => ok &= batch.is_none_or(|(b, _)| b == n),
                    TensorAxis::Fixed(Some(m)) | TensorAxis::Dim { max: Some(m), .. } => {
                        ok &= *m as usize == n
                    }
                    TensorAxis::Fixed(None) => {}
                    TensorAxis::Dim { name, max: None } => {
                        match dims.iter().find(|(d, _, _)| d == name) {
                            Some((_, len, first)) if *len != n => {
                                out.push(format!("tensor `{}`: dim `{name}` has length {n}, but {len} in `{first}`", spec.name));
                            }
                            Some(_) => {}
                            None => dims.push((name.clone(), n, spec.name.clone())),
                        }
                    }
                }
            }
        }
        if !ok {
            let note = match batch {
                Some((b, first))
                    if shape.first().is_some_and(|&n| n != b) && first != spec.name =>
                {
                    format!(" (batch size {b} in `{first}`)")
                }
                _ => String::new(),
            };
            out.push(format!(
                "tensor `{}`: expected {expected}, found {found}{note}",
                spec.name
            ));
        }
    }
    for (name, entry) in &file.entries {
        if !checked.specs.iter().any(|t| t.name == *name) {
            out.push(format!(
                "tensor `{name}`: not in the schema (found {} {})",
                entry.dtype_name(),
                shape_text(entry.shape())
            ));
        }
    }
    out
}
