//! `gen json-schema` (SPEC §6): JSON Schema 2020-12 for one raw record — types, required fields,
//! enums for closed category sets, bounds, array lengths, an ASCII pattern — and a `$comment`
//! naming the rules JSON Schema cannot express, so a record it accepts may still be rejected by
//! validation for exactly those reasons, and for no other.

use crate::check::Checked;
use crate::ir::{
    Axis, Categories, Charset, DType, Encoding, Input, Missing, Role, Scalar, Step, Transform,
    Truncate, Unknown,
};
use serde_json::{json, Map, Value};

/// The largest magnitude that rounds to a finite f32: 2^128 − 2^103 (exclusive).
const F32_LIMIT: f64 = 340_282_356_779_733_661_637_539_395_458_142_568_448.0;

fn number(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn scalar(s: &Scalar) -> Value {
    crate::ir::json::scalar(s)
}

/// The schema of one raw leaf value (no null).
fn leaf(input: &Input, notes: &mut Vec<String>) -> Value {
    let mut s = Map::new();
    let closed = match &input.transform {
        Transform::Encode(
            Encoding::OneHot {
                categories: Categories::List(c),
                unknown: Unknown::Error,
                ..
            }
            | Encoding::Index {
                categories: Categories::List(c),
                unknown: Unknown::Error,
                ..
            }
            | Encoding::MultiHot {
                categories: Categories::List(c),
                unknown: Unknown::Error,
                ..
            },
        ) => Some(c),
        _ => None,
    };
    match input.dtype {
        DType::Bool => {
            s.insert("type".into(), json!("boolean"));
        }
        DType::Str => {
            s.insert("type".into(), json!("string"));
            if input.charset == Charset::Ascii {
                s.insert("pattern".into(), json!("^[\\u0000-\\u007f]*$"));
            }
            if let Transform::Encode(Encoding::Chars {
                max_len,
                truncate: Truncate::Error,
                ..
            }) = &input.transform
            {
                s.insert("maxLength".into(), json!(max_len));
            }
            if let Transform::Encode(Encoding::Bytes {
                max_len,
                truncate: Truncate::Error,
                ..
            }) = &input.transform
            {
                if input.charset == Charset::Ascii {
                    // ASCII text has one byte per character.
                    s.insert("maxLength".into(), json!(max_len));
                } else {
                    notes.push(format!(
                        "`{}`: at most {max_len} UTF-8 bytes (JSON Schema counts characters)",
                        input.name
                    ));
                }
            }
        }
        d if d.is_int() => {
            s.insert("type".into(), json!("integer"));
            let (lo, hi) = d.int_bounds().unwrap_or((i128::MIN, i128::MAX));
            let (mut lo, mut hi) = (lo, hi);
            if let Some(r) = &input.range {
                if let Some(Scalar::Int(b)) = r.lo {
                    lo = lo.max(b);
                }
                if let Some(Scalar::Int(b)) = r.hi {
                    hi = hi.min(b);
                }
            }
            s.insert("minimum".into(), scalar(&Scalar::Int(lo)));
            s.insert("maximum".into(), scalar(&Scalar::Int(hi)));
        }
        d => {
            s.insert("type".into(), json!("number"));
            let mut lo: Option<(f64, bool)> = None;
            let mut hi: Option<(f64, bool)> = None;
            if d == DType::F32 {
                lo = Some((-F32_LIMIT, true));
                hi = Some((F32_LIMIT, true));
            }
            let bound = |b: &Option<Scalar>| match b {
                Some(Scalar::Float(x)) => Some(*x),
                Some(Scalar::Int(i)) => Some(*i as f64),
                _ => None,
            };
            if let Some(r) = &input.range {
                if let Some(x) = bound(&r.lo) {
                    lo = Some((x, false));
                }
                if let Some(x) = bound(&r.hi) {
                    hi = Some((x, false));
                }
                if d == DType::F32 {
                    notes.push(format!(
                        "`{}`: its range applies to the value rounded to f32",
                        input.name
                    ));
                }
            }
            if let Transform::Scale { steps, .. } = &input.transform {
                if steps.first() == Some(&Step::Log1p) {
                    let above = lo.is_none_or(|(x, _)| x <= -1.0);
                    if above {
                        lo = Some((-1.0, true));
                    }
                } else if steps.contains(&Step::Log1p) {
                    notes.push(format!(
                        "`{}`: `log1p` needs the value entering it above -1",
                        input.name
                    ));
                }
            }
            if let Some((x, exclusive)) = lo {
                let key = if exclusive {
                    "exclusiveMinimum"
                } else {
                    "minimum"
                };
                s.insert(key.into(), number(x));
            }
            if let Some((x, exclusive)) = hi {
                let key = if exclusive {
                    "exclusiveMaximum"
                } else {
                    "maximum"
                };
                s.insert(key.into(), number(x));
            }
        }
    }
    if let Some(c) = closed {
        s.insert("enum".into(), Value::Array(c.iter().map(scalar).collect()));
    }
    Value::Object(s)
}

/// The schema of an input's value: nested arrays along its shape around the leaf.
fn value(input: &Input, schema: &crate::ir::Schema, notes: &mut Vec<String>) -> Value {
    let mut v = leaf(input, notes);
    for axis in input.shape.iter().rev() {
        let mut a = Map::new();
        a.insert("type".into(), json!("array"));
        a.insert("items".into(), v);
        match axis {
            Axis::Fixed(n) => {
                a.insert("minItems".into(), json!(n));
                a.insert("maxItems".into(), json!(n));
            }
            Axis::Dim(name) => {
                if let Some(d) = schema.dim(name) {
                    if let Some(min) = d.min {
                        a.insert("minItems".into(), json!(min));
                    }
                    if let (Some(max), Truncate::Error) = (d.max, d.truncate) {
                        a.insert("maxItems".into(), json!(max));
                    }
                }
            }
        }
        v = Value::Object(a);
    }
    if matches!(input.missing, Missing::Fill(_)) && input.shape.is_empty() {
        // A fill makes null (and absence) acceptable.
        v = json!({"anyOf": [v, {"type": "null"}]});
    }
    if let Some(d) = &input.doc {
        if let Value::Object(m) = &mut v {
            m.insert("description".into(), json!(d));
        }
    }
    if let Some(d) = &input.deprecated {
        if let Value::Object(m) = &mut v {
            m.insert("deprecated".into(), json!(true));
            m.insert("$comment".into(), json!(format!("deprecated: {d}")));
        }
    }
    v
}

/// JSON Schema 2020-12 for one raw record; labels and weights are required when `training`.
pub fn json_schema(c: &Checked, training: bool) -> Value {
    let schema = c.schema();
    let mut notes = Vec::new();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for input in &schema.inputs {
        // Properties are the record's fields: the columns inputs read. Two inputs reading one
        // column both constrain it (`allOf`).
        let column = input.column().to_string();
        let rule = value(input, schema, &mut notes);
        let entry = match properties.remove(&column) {
            None => rule,
            Some(Value::Object(mut m)) if m.contains_key("allOf") && m.len() == 1 => {
                if let Some(Value::Array(all)) = m.get_mut("allOf") {
                    all.push(rule);
                }
                Value::Object(m)
            }
            Some(first) => json!({"allOf": [first, rule]}),
        };
        properties.insert(column.clone(), entry);
        let needed = input.role == Role::Feature || training;
        let fill = matches!(input.missing, Missing::Fill(_)) && input.shape.is_empty();
        if needed && !fill && !required.contains(&json!(column)) {
            required.push(json!(column));
        }
    }
    let shared: Vec<&str> = schema
        .dims
        .iter()
        .filter(|d| {
            schema
                .inputs
                .iter()
                .filter(|i| i.shape.iter().any(|a| *a == Axis::Dim(d.name.clone())))
                .count()
                > 1
        })
        .map(|d| d.name.as_str())
        .collect();
    if !shared.is_empty() {
        notes.push(format!(
            "inputs sharing a dim ({}) must have the same length along it in one record",
            shared.join(", ")
        ));
    }
    if schema
        .inputs
        .iter()
        .any(|i| matches!(i.transform, Transform::Scale { .. }))
    {
        notes.push("scaling whose result is not finite in the output dtype is rejected".into());
    }
    if schema.inputs.iter().any(|i| i.dtype.is_float()) {
        notes.push("NaN counts as missing and ±Infinity is rejected (JSON has neither)".into());
    }
    let mut comment = format!(
        "Generated by tensorseam from schema `{}` v{} (fingerprint {}). Records are also checked for what JSON Schema cannot express",
        schema.name,
        schema.version,
        c.fingerprint()
    );
    if notes.is_empty() {
        comment = format!(
            "Generated by tensorseam from schema `{}` v{} (fingerprint {}). A record passes this schema iff it passes validation.",
            schema.name,
            schema.version,
            c.fingerprint()
        );
    } else {
        comment.push_str(": ");
        comment.push_str(&notes.join("; "));
        comment.push('.');
    }
    let mut out = Map::new();
    out.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    out.insert(
        "title".into(),
        json!(format!("{} v{}", schema.name, schema.version)),
    );
    if let Some(d) = &schema.doc {
        out.insert("description".into(), json!(d));
    }
    out.insert("$comment".into(), json!(comment));
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(properties));
    out.insert("required".into(), Value::Array(required));
    Value::Object(out)
}
