//! The canonical DSL layout (`fmt` of `*.seam`, `fmt --to seam`).

use super::float as number;
use crate::ir::{
    Categories, Charset, Encoding, FitOrder, Missing, Role, Scalar, Schema, Step, Transform,
    Truncate, Unknown,
};
use std::fmt::Write as _;

/// A string literal with the DSL's escapes.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) fn scalar(s: &Scalar) -> String {
    match s {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => number(*f),
        Scalar::Str(s) => string(s),
    }
}

pub(crate) fn categories(c: &Categories) -> String {
    match c {
        Categories::List(l) => l.iter().map(scalar).collect::<Vec<_>>().join(", "),
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
            format!("fit({})", parts.join(", "))
        }
    }
}

fn call(name: &str, positional: &str, named: &[String]) -> String {
    match (positional.is_empty(), named.is_empty()) {
        (true, true) => format!("{name}()"),
        (true, false) => format!("{name}({})", named.join(", ")),
        (false, true) => format!("{name}({positional})"),
        (false, false) => format!("{name}({positional}; {})", named.join(", ")),
    }
}

pub(crate) fn encoding(e: &Encoding) -> String {
    let mut named = Vec::new();
    let positional = match e {
        Encoding::OneHot { .. } | Encoding::Index { .. } | Encoding::MultiHot { .. } => {
            let Some((c, u)) = e.categories() else {
                return String::new();
            };
            match u {
                Unknown::Error => {}
                Unknown::Ignore => named.push("unknown: ignore".to_string()),
                Unknown::Oov(n) => named.push(format!("unknown: oov({n})")),
            }
            categories(c)
        }
        Encoding::Hash { buckets, .. } => {
            named.push(format!("buckets: {buckets}"));
            String::new()
        }
        Encoding::Bucketize { boundaries, .. } => boundaries
            .iter()
            .map(|b| number(*b))
            .collect::<Vec<_>>()
            .join(", "),
        Encoding::Bytes {
            max_len, truncate, ..
        }
        | Encoding::Chars {
            max_len, truncate, ..
        } => {
            named.push(format!("max_len: {max_len}"));
            if *truncate != Truncate::Error {
                named.push(format!("truncate: {}", truncate.name()));
            }
            String::new()
        }
    };
    if e.dtype() != super::default_dtype(e) {
        named.push(format!("dtype: {}", e.dtype()));
    }
    call(e.name(), &positional, &named)
}

pub(crate) fn step(s: &Step) -> String {
    match s {
        Step::Log1p => "log1p".to_string(),
        Step::Standardize(None) => "standardize(fit)".to_string(),
        Step::MinMax(None) => "minmax(fit)".to_string(),
        Step::Standardize(Some(p)) => format!(
            "standardize(mean: {}, std: {})",
            number(p.mean),
            number(p.std)
        ),
        Step::MinMax(Some(p)) => format!("minmax(min: {}, max: {})", number(p.min), number(p.max)),
        Step::Affine { scale, offset } => format!(
            "affine(scale: {}, offset: {})",
            number(*scale),
            number(*offset)
        ),
        Step::Divide(by) => format!("divide(by: {})", number(*by)),
        Step::Clip { min, max } => {
            let p = super::clip_parts(*min, *max);
            format!("clip({})", p.join(", "))
        }
    }
}

/// The schema in canonical DSL text.
pub fn write(s: &Schema) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "schema {} v{} {{", s.name, s.version);
    if let Some(doc) = &s.doc {
        let _ = writeln!(o, "  doc {}", string(doc));
    }
    for d in &s.dims {
        let mut line = format!("  dim {}", d.name);
        if let Some(m) = d.max {
            let _ = write!(line, " max {m}");
        }
        if let Some(m) = d.min {
            let _ = write!(line, " min {m}");
        }
        if d.truncate != Truncate::Error {
            let _ = write!(line, " truncate {}", d.truncate.name());
        }
        if let Some(doc) = &d.doc {
            let _ = write!(line, " {{ doc {} }}", string(doc));
        }
        let _ = writeln!(o, "{line}");
    }
    if s.doc.is_some() || !s.dims.is_empty() {
        o.push('\n');
    }
    for i in &s.inputs {
        let kw = match i.role {
            Role::Feature => "input",
            Role::Label => "label",
            Role::Weight => "weight",
        };
        let shape = if i.shape.is_empty() {
            String::new()
        } else {
            crate::ir::shape_text(&i.shape)
        };
        let mut body: Vec<String> = Vec::new();
        if let Some(doc) = &i.doc {
            body.push(format!("doc {}", string(doc)));
        }
        if let Some(dep) = &i.deprecated {
            body.push(format!("deprecated {}", string(dep)));
        }
        if i.charset == Charset::Ascii {
            body.push("charset ascii".to_string());
        }
        if let Some(r) = &i.range {
            let lo =
                r.lo.as_ref()
                    .map_or(String::new(), |v| format!("{} ", scalar(v)));
            body.push(match &r.hi {
                Some(hi) => format!("range {lo}..= {}", scalar(hi)),
                None => format!("range {lo}.."),
            });
        }
        if let Missing::Fill(v) = &i.missing {
            body.push(format!("missing fill({})", scalar(v)));
        }
        match &i.transform {
            Transform::None => {}
            Transform::Encode(e) => body.push(format!("encode {}", encoding(e))),
            Transform::Scale { steps, out } => {
                body.push(format!(
                    "scale {}",
                    steps.iter().map(step).collect::<Vec<_>>().join(" |> ")
                ));
                if *out != crate::ir::DType::F32 {
                    body.push(format!("out {out}"));
                }
            }
        }
        let from = i
            .column
            .as_ref()
            .map_or(String::new(), |c| format!(" from {}", string(c)));
        let head = format!("  {kw} {}: {}{shape}{from}", i.name, i.dtype);
        if body.is_empty() {
            let _ = writeln!(o, "{head}");
        } else {
            let _ = writeln!(o, "{head} {{");
            for line in body {
                let _ = writeln!(o, "    {line}");
            }
            o.push_str("  }\n");
        }
    }
    if !s.tensors.is_empty() {
        o.push('\n');
        for t in &s.tensors {
            let doc = t
                .doc
                .as_ref()
                .map_or(String::new(), |d| format!(" {{ doc {} }}", string(d)));
            let _ = writeln!(
                o,
                "  tensor {} = concat({}){doc}",
                t.name,
                t.concat.join(", ")
            );
        }
    }
    o.push_str("}\n");
    o
}
