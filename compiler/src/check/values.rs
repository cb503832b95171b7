//! Typed literals (categories, range bounds, fill values) and the rule that a fill value must itself
//! pass validation — the same checks, in the same order, a record's value meets (SPEC §9).

use super::ctx::Ctx;
use crate::codes::Code;
use crate::diag::Diagnostic;
use crate::ir::{
    Categories, DType, Encoding, Input, Missing, Scalar, Step, Transform, Truncate, Unknown,
};
use crate::tree::{Node, Value};
use tensorseam_core::scale;

/// Reads a literal of `dtype`'s kind: a string for `str`, an integer within range for integers,
/// a number for floats, a boolean for `bool`. `code` is reported for a wrong kind.
pub fn scalar(
    cx: &mut Ctx<'_>,
    node: &Node,
    dtype: DType,
    what: &str,
    code: Code,
) -> Option<Scalar> {
    let kind = match dtype {
        DType::Str => "a string",
        DType::Bool => "a boolean",
        d if d.is_int() => "an integer",
        _ => "a number",
    };
    let wrong = |cx: &mut Ctx<'_>, extra: Option<String>| {
        if node.value == Value::Invalid {
            return None;
        }
        let mut d = Diagnostic::new(
            code,
            node.span,
            format!(
                "{what} must be {kind} for `{dtype}` inputs, found {}",
                node.value.kind()
            ),
        )
        .label(format!("expected {kind}"));
        if let Some(h) = extra {
            d = d.help(h);
        }
        cx.report(d);
        None
    };
    match (&node.value, dtype) {
        (Value::Str(s), DType::Str) => Some(Scalar::Str(s.clone())),
        (Value::Bool(b), DType::Bool) => Some(Scalar::Bool(*b)),
        (Value::Int(i), d) if d.is_int() => {
            let (lo, hi) = d.int_bounds().unwrap_or((0, 0));
            if *i < lo || *i > hi {
                cx.report(
                    Diagnostic::new(
                        code,
                        node.span,
                        format!("{what} {i} does not fit `{dtype}`"),
                    )
                    .label(format!("outside {lo}..={hi}")),
                );
                return None;
            }
            Some(Scalar::Int(*i))
        }
        (Value::Int(i), d) if d.is_float() => Some(Scalar::Float(*i as f64)),
        (Value::Float(f), d) if d.is_float() => {
            if !f.is_finite() {
                cx.report(
                    Diagnostic::new(
                        Code::NonFiniteParameter,
                        node.span,
                        format!("{what} must be finite"),
                    )
                    .label("not finite"),
                );
                return None;
            }
            Some(Scalar::Float(*f))
        }
        (Value::Float(_), d) if d.is_int() => wrong(
            cx,
            Some("an integer may not be written as a float; drop the decimal point".to_string()),
        ),
        (Value::Str(s), d) if d != DType::Str && looks_numeric(s) => wrong(
            cx,
            Some(format!(
                "a quoted number is a string; write `{s}` without quotes"
            )),
        ),
        (Value::Int(_) | Value::Float(_), DType::Str) => wrong(
            cx,
            Some("write the category as a quoted string".to_string()),
        ),
        _ => wrong(cx, None),
    }
}

fn looks_numeric(s: &str) -> bool {
    s.parse::<f64>().is_ok() || s == "true" || s == "false"
}

/// The scalar as f64 (numeric scalars only).
pub fn as_f64(s: &Scalar) -> Option<f64> {
    match s {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(f) => Some(*f),
        _ => None,
    }
}

/// Whether `a <= b` for two numeric scalars of one input.
pub fn le(a: &Scalar, b: &Scalar) -> bool {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => x <= y,
        _ => as_f64(a).zip(as_f64(b)).is_some_and(|(x, y)| x <= y),
    }
}

/// Why `value` would fail validation for `input`, in the spec's order of checks; `None` if it
/// passes. This is the fill-value rule: a fill must be a value the input would accept — taken by
/// the one value rule (`tensorseam_core::value`), encoded, and scaled by the one arithmetic
/// (`tensorseam_core::scale`), exactly as a record's value is.
pub fn rejects(input: &Input, value: &Scalar) -> Option<String> {
    let rule = input.value_rule();
    let taken = match rule.take(value.leaf(), false, &input.name) {
        Ok(t) => t,
        Err(e) => return Some(e.message),
    };
    match &input.transform {
        Transform::Encode(e) => encoding_rejects(e, value),
        Transform::Scale { steps, out } => {
            // A step still to `fit` has no arithmetic yet: nothing to check past it.
            let steps: Option<Vec<_>> = steps.iter().map(Step::fitted).collect();
            scale::run(&steps?, taken.as_f64())
                .and_then(|y| scale::finish(y, *out == DType::F64))
                .err()
                .map(|e| e.message)
        }
        Transform::None => None,
    }
}

fn encoding_rejects(e: &Encoding, value: &Scalar) -> Option<String> {
    match e {
        Encoding::OneHot {
            categories,
            unknown,
            ..
        }
        | Encoding::Index {
            categories,
            unknown,
            ..
        } => match (categories, unknown) {
            (Categories::List(list), Unknown::Error) if !list.contains(value) => {
                Some("the value is not one of the categories and `unknown` is `error`".to_string())
            }
            _ => None,
        },
        Encoding::Bytes {
            max_len,
            truncate: Truncate::Error,
            ..
        } => match value {
            Scalar::Str(s) if s.len() as u64 > *max_len => Some(format!(
                "the value is {} bytes, longer than `max_len` {max_len}",
                s.len()
            )),
            _ => None,
        },
        Encoding::Chars {
            max_len,
            truncate: Truncate::Error,
            ..
        } => match value {
            Scalar::Str(s) if s.chars().count() as u64 > *max_len => Some(format!(
                "the value is {} characters, longer than `max_len` {max_len}",
                s.chars().count()
            )),
            _ => None,
        },
        _ => None,
    }
}

/// Reports a fill value that would fail validation.
pub fn check_fill(cx: &mut Ctx<'_>, input: &Input, node: &Node) {
    if let Missing::Fill(v) = &input.missing {
        if let Some(why) = rejects(input, v) {
            cx.report(
                Diagnostic::new(
                    Code::InvalidFill,
                    node.span,
                    format!(
                        "fill value {v} for `{}` would not pass validation",
                        input.name
                    ),
                )
                .label(why)
                .help("choose a fill value the input accepts"),
            );
        }
    }
}
