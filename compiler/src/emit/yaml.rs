//! The canonical YAML layout (`fmt`, `fmt --to yaml`): defaults left out, one input per block,
//! parameters in flow style, strings quoted only when they would read as something else.

use super::float as number;
use crate::ir::{
    Categories, Charset, Encoding, FitOrder, Missing, Role, Scalar, Schema, Step, Transform,
    Truncate, Unknown,
};
use std::fmt::Write as _;

/// Whether a string can be written as a plain YAML scalar and read back as the same string.
fn plain_ok(s: &str) -> bool {
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' '));
    let reserved = matches!(
        s,
        "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
    );
    first_ok && rest_ok && !reserved && !s.ends_with(' ') && !s.contains("  ")
}

/// YAML's printable set (1.2 §5.1); everything else is escaped.
fn printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// A string as a YAML scalar: plain when safe, else double-quoted with escapes.
pub fn string(s: &str) -> String {
    if plain_ok(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{85}' => out.push_str("\\N"),
            c if printable(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

fn scalar(s: &Scalar) -> String {
    match s {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => number(*f),
        Scalar::Str(s) => string(s),
    }
}

fn categories(c: &Categories) -> String {
    match c {
        Categories::List(l) => format!("[{}]", l.iter().map(scalar).collect::<Vec<_>>().join(", ")),
        Categories::Fit {
            order: FitOrder::Lexical,
            max_categories: None,
            min_frequency: None,
            include,
        } if include.is_empty() => "fit".to_string(),
        Categories::Fit {
            order,
            max_categories,
            min_frequency,
            include,
        } => {
            let parts = super::fit_parts(*order, *max_categories, *min_frequency, include, scalar);
            format!("{{fit: {{{}}}}}", parts.join(", "))
        }
    }
}

fn unknown(u: Unknown) -> Option<String> {
    match u {
        Unknown::Error => None,
        Unknown::Ignore => Some("ignore".to_string()),
        Unknown::Oov(n) => Some(format!("{{oov: {n}}}")),
    }
}

fn encoding(e: &Encoding) -> String {
    let mut p: Vec<String> = Vec::new();
    match e {
        Encoding::OneHot { .. } | Encoding::Index { .. } | Encoding::MultiHot { .. } => {
            if let Some((c, u)) = e.categories() {
                p.push(format!("categories: {}", categories(c)));
                if let Some(u) = unknown(u) {
                    p.push(format!("unknown: {u}"));
                }
            }
        }
        Encoding::Hash { buckets, .. } => {
            p.push(format!("buckets: {buckets}"));
        }
        Encoding::Bucketize { boundaries, .. } => {
            p.push(format!(
                "boundaries: [{}]",
                boundaries
                    .iter()
                    .map(|b| number(*b))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Encoding::Bytes {
            max_len, truncate, ..
        }
        | Encoding::Chars {
            max_len, truncate, ..
        } => {
            p.push(format!("max_len: {max_len}"));
            if *truncate != Truncate::Error {
                p.push(format!("truncate: {}", truncate.name()));
            }
        }
    }
    if e.dtype() != super::default_dtype(e) {
        p.push(format!("dtype: {}", e.dtype()));
    }
    format!("{{{}: {{{}}}}}", e.name(), p.join(", "))
}

fn step(s: &Step) -> String {
    match s {
        Step::Log1p => "log1p".to_string(),
        Step::Standardize(None) => "{standardize: fit}".to_string(),
        Step::MinMax(None) => "{minmax: fit}".to_string(),
        Step::Standardize(Some(p)) => format!(
            "{{standardize: {{mean: {}, std: {}}}}}",
            number(p.mean),
            number(p.std)
        ),
        Step::MinMax(Some(p)) => format!(
            "{{minmax: {{min: {}, max: {}}}}}",
            number(p.min),
            number(p.max)
        ),
        Step::Affine { scale, offset } => format!(
            "{{affine: {{scale: {}, offset: {}}}}}",
            number(*scale),
            number(*offset)
        ),
        Step::Divide(by) => format!("{{divide: {{by: {}}}}}", number(*by)),
        Step::Clip { min, max } => {
            let p = super::clip_parts(*min, *max);
            format!("{{clip: {{{}}}}}", p.join(", "))
        }
    }
}

/// The schema in canonical YAML.
pub fn write(s: &Schema) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "tensorseam: {}", crate::ir::FORMAT_VERSION);
    let _ = writeln!(o, "name: {}", s.name);
    let _ = writeln!(o, "version: {}", s.version);
    if let Some(doc) = &s.doc {
        let _ = writeln!(o, "doc: {}", string(doc));
    }
    if !s.dims.is_empty() {
        o.push_str("dims:\n");
        for d in &s.dims {
            let mut p = Vec::new();
            if let Some(m) = d.max {
                p.push(format!("max: {m}"));
            }
            if let Some(m) = d.min {
                p.push(format!("min: {m}"));
            }
            if d.truncate != Truncate::Error {
                p.push(format!("truncate: {}", d.truncate.name()));
            }
            if let Some(doc) = &d.doc {
                p.push(format!("doc: {}", string(doc)));
            }
            let _ = writeln!(o, "  {}: {{{}}}", d.name, p.join(", "));
        }
    }
    o.push_str("inputs:\n");
    for i in &s.inputs {
        let _ = writeln!(o, "  {}:", i.name);
        let _ = writeln!(o, "    dtype: {}", i.dtype);
        if let Some(c) = &i.column {
            let _ = writeln!(o, "    column: {}", string(c));
        }
        if !i.shape.is_empty() {
            let axes: Vec<String> = i
                .shape
                .iter()
                .map(|a| match a {
                    crate::ir::Axis::Fixed(n) => n.to_string(),
                    crate::ir::Axis::Dim(d) => d.clone(),
                })
                .collect();
            let _ = writeln!(o, "    shape: [{}]", axes.join(", "));
        }
        if i.role != Role::Feature {
            let _ = writeln!(o, "    role: {}", i.role.name());
        }
        if let Some(doc) = &i.doc {
            let _ = writeln!(o, "    doc: {}", string(doc));
        }
        if let Some(dep) = &i.deprecated {
            let _ = writeln!(o, "    deprecated: {}", string(dep));
        }
        if i.charset == Charset::Ascii {
            o.push_str("    charset: ascii\n");
        }
        if let Some(r) = &i.range {
            let b = |v: &Option<Scalar>| v.as_ref().map_or("null".to_string(), scalar);
            let _ = writeln!(o, "    range: [{}, {}]", b(&r.lo), b(&r.hi));
        }
        if let Missing::Fill(v) = &i.missing {
            let _ = writeln!(o, "    missing: {{fill: {}}}", scalar(v));
        }
        match &i.transform {
            Transform::None => {}
            Transform::Encode(e) => {
                let _ = writeln!(o, "    encode: {}", encoding(e));
            }
            Transform::Scale { steps, out } => {
                let text = match steps.as_slice() {
                    [one] => step(one),
                    many => format!("[{}]", many.iter().map(step).collect::<Vec<_>>().join(", ")),
                };
                let _ = writeln!(o, "    scale: {text}");
                if *out != crate::ir::DType::F32 {
                    let _ = writeln!(o, "    out: {out}");
                }
            }
        }
    }
    if !s.tensors.is_empty() {
        o.push_str("tensors:\n");
        for t in &s.tensors {
            let doc = t
                .doc
                .as_ref()
                .map_or(String::new(), |d| format!(", doc: {}", string(d)));
            let _ = writeln!(
                o,
                "  {}: {{concat: [{}]{doc}}}",
                t.name,
                t.concat.join(", ")
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn strings_quote_only_when_needed() {
        assert_eq!(string("Biscoe"), "Biscoe");
        assert_eq!(string("no"), "no");
        assert_eq!(string("true"), "\"true\"");
        assert_eq!(string("12"), "\"12\"");
        assert_eq!(string("a: b"), "\"a: b\"");
        assert_eq!(string("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(string("\u{7f}"), "\"\\u007f\"");
        assert_eq!(string(""), "\"\"");
    }
}
