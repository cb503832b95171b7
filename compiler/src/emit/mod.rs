//! Emitters. Each takes a [`crate::check::Checked`] schema (or its IR) and nothing unchecked.

pub mod datasheet;
pub mod ir;
pub mod json_schema;
pub mod python;
#[cfg(feature = "rust")]
pub mod rust;
pub mod seam;
pub mod yaml;

/// A float as schema text (YAML or DSL). ECMAScript form, except that an integral value too large
/// for a 64-bit integer is written with an exponent: `-10730005104119261000` would read back as
/// an integer literal, and an out-of-range one at that.
pub fn float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() >= 9.2e18 {
        format!("{x:e}")
    } else {
        crate::json::number(x)
    }
}

/// The `key: value` parts of `fit` options that differ from the defaults (both syntaxes write these).
pub(crate) fn fit_parts(
    order: crate::ir::FitOrder,
    max_categories: Option<u64>,
    min_frequency: Option<u64>,
    include: &[crate::ir::Scalar],
    scalar: impl Fn(&crate::ir::Scalar) -> String,
) -> Vec<String> {
    let mut parts = Vec::new();
    if order == crate::ir::FitOrder::Frequency {
        parts.push("order: frequency".to_string());
    }
    if let Some(m) = max_categories {
        parts.push(format!("max_categories: {m}"));
    }
    if let Some(m) = min_frequency {
        parts.push(format!("min_frequency: {m}"));
    }
    if !include.is_empty() {
        let items: Vec<String> = include.iter().map(scalar).collect();
        parts.push(format!("include: [{}]", items.join(", ")));
    }
    parts
}

/// The `min: …, max: …` parts of a `clip` step.
pub(crate) fn clip_parts(min: Option<f64>, max: Option<f64>) -> Vec<String> {
    [("min", min), ("max", max)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}: {}", float(v))))
        .collect()
}

/// An encoding's output dtype when `dtype:` is left out.
pub(crate) fn default_dtype(e: &crate::ir::Encoding) -> crate::ir::DType {
    use crate::ir::{DType, Encoding};
    match e {
        Encoding::OneHot { .. } | Encoding::MultiHot { .. } => DType::F32,
        Encoding::Index { .. } | Encoding::Hash { .. } | Encoding::Bucketize { .. } => DType::I64,
        Encoding::Bytes { .. } => DType::U8,
        Encoding::Chars { .. } => DType::I32,
    }
}
