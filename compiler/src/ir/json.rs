//! The IR as JSON, and its canonical form that the fingerprint hashes (SPEC §2.7, §6): the one
//! place that writes the IR out, for `gen ir`, the fingerprint, the Python module and the derive.
//!
//! Every default is explicit, so two schemas that mean the same produce the same JSON whatever they
//! left out. `doc` and `deprecated` are present in the readable form only. Each tensor's layout
//! (`parts`: which input fills which columns) is derived from the rest, so it is left out of the
//! canonical form: the fingerprint names what a schema means, and a layout written down for the
//! back-ends' convenience must not change it.

use crate::ir::{
    Axis, Categories, Encoding, FitOrder, Input, Missing, Scalar, Schema, Step, TensorAxis,
    TensorSpec, Transform, Unknown, FORMAT_VERSION,
};
use crate::json;
use serde_json::{json, Map, Value};

/// A scalar as JSON.
pub fn scalar(s: &Scalar) -> Value {
    match s {
        Scalar::Bool(b) => Value::Bool(*b),
        Scalar::Int(i) => int(*i),
        Scalar::Float(f) => float(*f),
        Scalar::Str(s) => Value::String(s.clone()),
    }
}

fn int(i: i128) -> Value {
    if let Ok(v) = i64::try_from(i) {
        Value::from(v)
    } else {
        u64::try_from(i).map_or(Value::Null, Value::from)
    }
}

fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// An object from key/value pairs. (`json!` would re-serialize every embedded `Value`, copying
/// each subtree once per level: for a 5,000-input schema that was most of `check`'s time.)
fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
    v.map_or(Value::Null, f)
}

/// The JSON of one encoding: `{name: {params}}`.
pub fn encoding(e: &Encoding) -> Value {
    let cats = |c: &Categories| match c {
        Categories::List(l) => Value::Array(l.iter().map(scalar).collect()),
        Categories::Fit {
            order,
            max_categories,
            min_frequency,
            include,
        } => {
            let mut fit = json!({
                "order": match order { FitOrder::Lexical => "lexical", FitOrder::Frequency => "frequency" },
                "max_categories": max_categories,
                "min_frequency": min_frequency,
            });
            // Written only when given: schemas without it keep their fingerprints.
            if !include.is_empty() {
                fit["include"] = Value::Array(include.iter().map(scalar).collect());
            }
            json!({ "fit": fit })
        }
    };
    let unknown = |u: &Unknown| match u {
        Unknown::Error => json!("error"),
        Unknown::Ignore => json!("ignore"),
        Unknown::Oov(n) => json!({"oov": n}),
    };
    let params = match e {
        Encoding::OneHot {
            categories,
            unknown: u,
            dtype,
        }
        | Encoding::Index {
            categories,
            unknown: u,
            dtype,
        }
        | Encoding::MultiHot {
            categories,
            unknown: u,
            dtype,
        } => obj([
            ("categories", cats(categories)),
            ("unknown", unknown(u)),
            ("dtype", json!(dtype.name())),
        ]),
        Encoding::Hash { buckets, dtype } => json!({"buckets": buckets, "dtype": dtype.name()}),
        Encoding::Bucketize { boundaries, dtype } => obj([
            (
                "boundaries",
                Value::Array(boundaries.iter().map(|b| float(*b)).collect()),
            ),
            ("dtype", json!(dtype.name())),
        ]),
        Encoding::Bytes {
            max_len,
            truncate,
            dtype,
        }
        | Encoding::Chars {
            max_len,
            truncate,
            dtype,
        } => {
            json!({"max_len": max_len, "truncate": truncate.name(), "dtype": dtype.name()})
        }
    };
    let mut m = Map::new();
    m.insert(e.name().to_string(), params);
    Value::Object(m)
}

/// The JSON of one scaling step.
pub fn step(s: &Step) -> Value {
    let params = match s {
        Step::Standardize(None) | Step::MinMax(None) => json!("fit"),
        Step::Standardize(Some(p)) => obj([("mean", float(p.mean)), ("std", float(p.std))]),
        Step::MinMax(Some(p)) => obj([("min", float(p.min)), ("max", float(p.max))]),
        Step::Affine { scale, offset } => {
            obj([("scale", float(*scale)), ("offset", float(*offset))])
        }
        Step::Divide(by) => obj([("by", float(*by))]),
        Step::Log1p => return json!("log1p"),
        Step::Clip { min, max } => obj([("min", opt(*min, float)), ("max", opt(*max, float))]),
    };
    let mut m = Map::new();
    m.insert(s.name().to_string(), params);
    Value::Object(m)
}

fn input(i: &Input, docs: bool) -> Value {
    let mut v = obj([
        ("name", json!(i.name)),
        ("dtype", json!(i.dtype.name())),
        (
            "shape",
            Value::Array(
                i.shape
                    .iter()
                    .map(|a| match a {
                        Axis::Fixed(n) => json!(n),
                        Axis::Dim(d) => json!(d),
                    })
                    .collect(),
            ),
        ),
        ("role", json!(i.role.name())),
        (
            "range",
            opt(i.range.as_ref(), |r| {
                Value::Array(vec![opt(r.lo.as_ref(), scalar), opt(r.hi.as_ref(), scalar)])
            }),
        ),
        (
            "missing",
            match &i.missing {
                Missing::Error => json!("error"),
                Missing::Fill(v) => obj([("fill", scalar(v))]),
            },
        ),
        (
            "charset",
            json!(match i.charset {
                crate::ir::Charset::Utf8 => "utf8",
                crate::ir::Charset::Ascii => "ascii",
            }),
        ),
        (
            "encode",
            match &i.transform {
                Transform::Encode(e) => encoding(e),
                _ => Value::Null,
            },
        ),
        (
            "scale",
            match &i.transform {
                Transform::Scale { steps, .. } => Value::Array(steps.iter().map(step).collect()),
                _ => Value::Null,
            },
        ),
        (
            "out",
            match &i.transform {
                Transform::Scale { out, .. } => json!(out.name()),
                _ => Value::Null,
            },
        ),
    ]);
    // Present only when it differs from the name: schemas written before `column` existed keep
    // their fingerprints.
    if let Some(c) = &i.column {
        v["column"] = json!(c);
    }
    if docs {
        v["doc"] = json!(i.doc);
        v["deprecated"] = json!(i.deprecated);
    }
    v
}

/// A resolved tensor's shape: `"batch"`, sizes, `null` for a size fixed by `fit`, and
/// `{"dim": name, "max": n|null}` for named dims.
pub fn shape(axes: &[TensorAxis]) -> Value {
    Value::Array(
        axes.iter()
            .map(|a| match a {
                TensorAxis::Batch => json!("batch"),
                TensorAxis::Fixed(n) => json!(n),
                TensorAxis::Dim { name, max } => json!({"dim": name, "max": max}),
            })
            .collect(),
    )
}

/// What a JSON form of the IR holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// What the fingerprint hashes: no docs, no layout (`gen ir --canonical`).
    Canonical,
    /// What the back-ends read (the derive, the Python module, the runtime): the canonical form
    /// and each tensor's `parts`.
    Plan,
    /// What people and tools read (`gen ir`): everything, docs included.
    Readable,
}

/// One resolved tensor as JSON, with its layout (`parts`) when `layout`.
pub fn spec(t: &TensorSpec, layout: bool) -> Value {
    let mut v = obj([
        ("name", json!(t.name)),
        ("dtype", json!(t.dtype.name())),
        ("shape", shape(&t.axes)),
        ("kind", json!(t.kind.name())),
        ("sources", json!(t.sources)),
    ]);
    if layout {
        v["parts"] = Value::Array(
            t.parts
                .iter()
                .map(|p| {
                    obj([
                        ("input", json!(p.input)),
                        ("offset", json!(p.offset)),
                        ("width", json!(p.width)),
                    ])
                })
                .collect(),
        );
    }
    v
}

/// The IR as a JSON value, in `form`.
pub fn value(s: &Schema, form: Form) -> Value {
    let docs = form == Form::Readable;
    let layout = form != Form::Canonical;
    let dims = s.dims.iter().map(|d| {
        let mut v =
            json!({"name": d.name, "max": d.max, "min": d.min, "truncate": d.truncate.name()});
        if docs {
            v["doc"] = json!(d.doc);
        }
        v
    });
    let tensors = s.tensors.iter().map(|t| {
        let mut v = json!({"name": t.name, "concat": t.concat});
        if docs {
            v["doc"] = json!(t.doc);
        }
        v
    });
    let mut v = obj([
        ("tensorseam", json!(FORMAT_VERSION)),
        ("name", json!(s.name)),
        ("version", json!(s.version)),
        ("dims", Value::Array(dims.collect())),
        (
            "inputs",
            Value::Array(s.inputs.iter().map(|i| input(i, docs)).collect()),
        ),
        ("tensors", Value::Array(tensors.collect())),
        (
            "specs",
            Value::Array(
                s.specs
                    .iter()
                    .map(|t| {
                        let mut v = spec(t, layout);
                        // The columns' names, for readers of `gen ir` (not hashed).
                        if docs {
                            v["columns"] = json!(super::features::names(s, t));
                        }
                        v
                    })
                    .collect(),
            ),
        ),
    ]);
    if docs {
        v["doc"] = json!(s.doc);
    }
    v
}

/// Exactly the bytes the fingerprint hashes (`gen ir --canonical`); [`crate::Checked`] computes
/// them once.
pub fn canonical_text(s: &Schema) -> String {
    json::canonical(&value(s, Form::Canonical))
}

/// The IR the back-ends read, as compact JSON text (what the derive and the Python module embed).
pub fn plan_text(s: &Schema) -> String {
    json::canonical(&value(s, Form::Plan))
}
