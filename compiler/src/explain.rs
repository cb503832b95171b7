//! `tensorseam explain`: the tensor table a model's input layer must accept.

use crate::check::Checked;
use crate::ir::{TensorAxis, TensorKind, TensorSpec};
use serde_json::json;

/// One axis as shown: `batch`, `9`, `seq=64` (padded to 64), `seq` (padded to the batch's longest),
/// `?` (known after `tensorseam fit`).
pub fn axis(a: &TensorAxis) -> String {
    match a {
        TensorAxis::Batch => "batch".to_string(),
        TensorAxis::Fixed(Some(n)) => n.to_string(),
        TensorAxis::Fixed(None) => "?".to_string(),
        TensorAxis::Dim { name, max: Some(m) } => format!("{name}={m}"),
        TensorAxis::Dim { name, max: None } => name.clone(),
    }
}

/// A shape as shown: `[batch, seq=64, 4]`.
pub fn shape(axes: &[TensorAxis]) -> String {
    format!("[{}]", axes.iter().map(axis).collect::<Vec<_>>().join(", "))
}

/// What a tensor is built from, as the table shows it.
pub fn source_text(c: &Checked, t: &TensorSpec) -> String {
    match t.kind {
        TensorKind::Mask => format!("padding of {}", t.sources.join(", ")),
        TensorKind::Label => format!("{} (training only)", t.sources.join(", ")),
        TensorKind::Weight => format!("{} (training only)", t.sources.join(", ")),
        TensorKind::Feature => t
            .sources
            .iter()
            .map(|s| match c.input(s).map(|i| &i.transform) {
                Some(crate::ir::Transform::Encode(e)) => format!("{s} ({})", e.name()),
                Some(crate::ir::Transform::Scale { .. }) => format!("{s} (scaled)"),
                _ => s.clone(),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The human table.
pub fn text(c: &Checked) -> String {
    let rows: Vec<[String; 5]> = c
        .specs
        .iter()
        .map(|t| {
            [
                t.name.clone(),
                t.kind.name().to_string(),
                t.dtype.name().to_string(),
                shape(&t.axes),
                source_text(c, t),
            ]
        })
        .collect();
    let header = ["tensor", "kind", "dtype", "shape", "from"].map(str::to_string);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = format!(
        "{} v{}  fingerprint {}\n\n",
        c.name,
        c.version,
        &c.fingerprint()[..16]
    );
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    // Which input (and category) each column of a multi-column tensor is.
    const SHOWN: usize = 32;
    for t in &c.specs {
        let Some(names) = crate::ir::features::names(c.schema(), t).filter(|n| n.len() > 1) else {
            continue;
        };
        let listed: Vec<String> = names
            .iter()
            .take(SHOWN)
            .enumerate()
            .map(|(i, n)| format!("[{i}] {}", crate::names::printable(n)))
            .collect();
        let more = if names.len() > SHOWN {
            format!(
                ", … and {} more (`explain --format json` lists every one)",
                names.len() - SHOWN
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "\n{} columns: {}{more}\n",
            t.name,
            listed.join(", ")
        ));
    }
    let dynamic: Vec<&str> = c
        .dims
        .iter()
        .filter(|d| d.max.is_none())
        .map(|d| d.name.as_str())
        .collect();
    if !dynamic.is_empty() {
        out.push_str(&format!(
            "\npadded to the batch's longest: {}\n",
            dynamic.join(", ")
        ));
    }
    if c.specs
        .iter()
        .any(|t| t.axes.contains(&TensorAxis::Fixed(None)))
    {
        out.push_str("\n? = size known after `tensorseam fit`\n");
    }
    out
}

/// The JSON table (`explain --format json`).
pub fn json(c: &Checked) -> serde_json::Value {
    json!({
        "schema": c.name,
        "version": c.version,
        "fingerprint": c.fingerprint(),
        "tensors": c.specs.iter().map(|t| {
            let mut v = crate::ir::json::spec(t, false);
            v["columns"] = json!(crate::ir::features::names(c.schema(), t));
            v
        }).collect::<Vec<_>>(),
    })
}
