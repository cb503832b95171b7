//! The encoding plan: what the engine needs per input and tensor, read from the schema's IR in
//! its back-end form (the canonical IR plus each tensor's layout, `tensorseam_compiler::ir::json`).
//! The derive embeds that JSON in generated code and the dynamic path hands over the same value
//! in memory, so both build the plan with this one function. Nothing is decided here that the
//! IR states: the layout (which input fills which columns) is read, not recomputed, and anything
//! the IR holds that this runtime does not know is an error, never a default.

use crate::tensor::DType;
use rustc_hash::FxHashMap as HashMap;
use serde_json::Value;
pub use tensorseam_core::ops::Truncate;
pub use tensorseam_core::scale::Step;
pub use tensorseam_core::value::{Literal, RawType, ValueRule};

/// What turns a raw value into tensor values.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Transform {
    None,
    Scale { steps: Vec<Step>, out_f64: bool },
    OneHot { ignore_unknown: bool },
    MultiHot { ignore_unknown: bool },
    Index { oov: Option<u64> },
    Hash { buckets: u64 },
    Bucketize { boundaries: Vec<f64> },
    Bytes { max_len: usize, truncate: Truncate },
    Chars { max_len: usize, truncate: Truncate },
}

/// Category positions, by raw kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lookup {
    /// String categories.
    pub strs: HashMap<String, usize>,
    /// Integer categories.
    pub ints: HashMap<i128, usize>,
    /// `false`, `true` positions.
    pub bools: [Option<usize>; 2],
    /// Number of categories.
    pub k: usize,
    /// The first categories as messages show them (`"Biscoe", "Dream", "Torgersen"`), for the
    /// `unknown_category` message.
    pub listed: String,
}

/// How many categories an `unknown_category` message lists.
pub const LISTED_CATEGORIES: usize = 10;

/// A raw axis of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AxisPlan {
    /// Exactly this many elements.
    Fixed(usize),
    /// A named dim (index into [`Plan::dims`]).
    Dim(usize),
}

/// A named dim.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct DimPlan {
    pub name: String,
    pub max: Option<usize>,
    pub min: Option<usize>,
    pub truncate: Truncate,
    /// The mask tensor, when a feature tensor has the dim among its axes.
    pub mask: Option<usize>,
}

/// The role of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Role {
    Feature,
    Label,
    Weight,
}

/// One input.
#[derive(Clone, Debug, PartialEq)]
pub struct InputPlan {
    /// Its name.
    pub name: String,
    /// The record field or data column it reads (its name unless the schema says otherwise).
    pub column: String,
    /// How each raw value is taken (dtype, fill, charset, range).
    pub rule: ValueRule,
    /// Raw shape.
    pub shape: Vec<AxisPlan>,
    /// Feature, label, weight.
    pub role: Role,
    /// The transform.
    pub transform: Transform,
    /// Category lookup (one_hot, index, multi_hot).
    pub lookup: Lookup,
    /// Output tensor.
    pub tensor: usize,
    /// Its first column along the tensor's last axis (the IR's layout).
    pub offset: usize,
    /// Values per cell: `k` for one_hot/multi_hot, `max_len` for bytes/chars, else 1.
    pub width: usize,
    /// Whether the encoding adds an axis.
    pub enc_axis: bool,
    /// Whether the last raw axis is reduced (multi_hot).
    pub reduces: bool,
    /// The `<input>_mask` tensor of bytes/chars.
    pub text_mask: Option<usize>,
}

/// What a tensor carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum TensorKind {
    Feature,
    Mask,
    Label,
    Weight,
}

/// A tensor axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorAxis {
    /// The batch axis.
    Batch,
    /// A fixed size.
    Fixed(usize),
    /// A named dim: its `max`, or the batch's longest.
    Dim(usize),
}

/// A tensor to produce.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct TensorPlan {
    pub name: String,
    pub dtype: DType,
    pub axes: Vec<TensorAxis>,
    pub kind: TensorKind,
}

/// Everything the engine needs.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Plan {
    pub schema: String,
    pub version: u64,
    pub fingerprint: String,
    pub tensors: Vec<TensorPlan>,
    pub inputs: Vec<InputPlan>,
    pub dims: Vec<DimPlan>,
    /// Every column some input reads (strict mode reports the others).
    pub columns: std::collections::HashSet<String>,
}

/// Why the IR cannot be read.
type Read<T> = Result<T, String>;

const FIT: &str = "has a `fit` placeholder; run `tensorseam fit` first";

fn field<'v>(v: &'v Value, key: &str, what: &str) -> Read<&'v Value> {
    v.get(key)
        .ok_or_else(|| format!("IR: {what} has no `{key}`"))
}

fn text<'v>(v: &'v Value, key: &str, what: &str) -> Read<&'v str> {
    field(v, key, what)?
        .as_str()
        .ok_or_else(|| format!("IR: `{key}` of {what} is not a string"))
}

fn array<'v>(v: &'v Value, key: &str, what: &str) -> Read<&'v Vec<Value>> {
    field(v, key, what)?
        .as_array()
        .ok_or_else(|| format!("IR: `{key}` of {what} is not a list"))
}

fn count(v: &Value, what: &str) -> Read<usize> {
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("IR: {what} is not a count"))
}

fn opt_count(v: &Value, what: &str) -> Read<Option<usize>> {
    if v.is_null() {
        Ok(None)
    } else {
        count(v, what).map(Some)
    }
}

fn number(v: &Value, key: &str, what: &str) -> Read<f64> {
    field(v, key, what)?
        .as_f64()
        .ok_or_else(|| format!("IR: `{key}` of {what} is not a number"))
}

fn truncate(v: &Value, what: &str) -> Read<Truncate> {
    match v.as_str() {
        Some("error") => Ok(Truncate::Error),
        Some("right") => Ok(Truncate::Right),
        Some("left") => Ok(Truncate::Left),
        _ => Err(format!("IR: unknown truncate {v} in {what}")),
    }
}

fn literal(v: &Value, dtype: RawType, what: &str) -> Read<Literal> {
    let bad = || format!("IR: {what} {v} is not a `{}` value", dtype.name());
    Ok(match (v, dtype) {
        (Value::Bool(b), RawType::Bool) => Literal::Bool(*b),
        (Value::String(s), RawType::Str) => Literal::Str(s.clone()),
        (Value::Number(n), RawType::Int(_)) => Literal::Int(
            n.as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .ok_or_else(bad)?,
        ),
        (Value::Number(n), d) if d.is_float() => Literal::Float(n.as_f64().ok_or_else(bad)?),
        _ => return Err(bad()),
    })
}

fn step(v: &Value, input: &str) -> Read<Step> {
    if v.as_str() == Some("log1p") {
        return Ok(Step::Log1p);
    }
    let what = format!("a scaling step of input `{input}`");
    let (name, p) = v
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.iter().next())
        .ok_or_else(|| format!("IR: {what} is not `{{name: params}}`"))?;
    if p.as_str() == Some("fit") {
        return Err(format!("`{name}` of input `{input}` {FIT}"));
    }
    let opt = |key: &str| -> Read<Option<f64>> {
        match p.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => x
                .as_f64()
                .map(Some)
                .ok_or_else(|| format!("IR: `{key}` of {what} is not a number")),
        }
    };
    Ok(match name.as_str() {
        "standardize" => Step::Standardize {
            mean: number(p, "mean", &what)?,
            std: number(p, "std", &what)?,
        },
        "minmax" => Step::MinMax {
            min: number(p, "min", &what)?,
            max: number(p, "max", &what)?,
        },
        "affine" => Step::Affine {
            scale: number(p, "scale", &what)?,
            offset: number(p, "offset", &what)?,
        },
        "divide" => Step::Divide(number(p, "by", &what)?),
        "clip" => Step::Clip {
            min: opt("min")?,
            max: opt("max")?,
        },
        other => return Err(format!("IR: unknown scaling step `{other}`")),
    })
}

fn lookup(categories: &Value, dtype: RawType, input: &str) -> Read<Lookup> {
    let list = categories
        .as_array()
        .ok_or_else(|| format!("the categories of input `{input}` have a `fit` placeholder; run `tensorseam fit` first"))?;
    let mut l = Lookup {
        k: list.len(),
        ..Lookup::default()
    };
    let mut shown = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let c = literal(c, dtype, &format!("a category of input `{input}`"))?;
        if i < LISTED_CATEGORIES {
            shown.push(match &c {
                Literal::Str(s) => tensorseam_core::value::Typed::Str(s).shown(),
                other => other.to_string(),
            });
        }
        match c {
            Literal::Str(s) => {
                l.strs.insert(s, i);
            }
            Literal::Int(v) => {
                l.ints.insert(v, i);
            }
            Literal::Bool(b) => l.bools[usize::from(b)] = Some(i),
            Literal::Float(_) => return Err(format!("IR: a float category in input `{input}`")),
        }
    }
    l.listed = shown.join(", ");
    if l.k > LISTED_CATEGORIES {
        l.listed.push_str(", …");
    }
    Ok(l)
}

/// The transform of one input, with its values per cell, whether it adds an axis and whether it
/// reduces the last raw axis.
fn transform(
    i: &Value,
    name: &str,
    dtype: RawType,
) -> Read<(Transform, Lookup, usize, bool, bool)> {
    let what = format!("input `{name}`");
    let scale = field(i, "scale", &what)?;
    let encode = field(i, "encode", &what)?;
    if let Some(steps) = scale.as_array() {
        let steps = steps
            .iter()
            .map(|s| step(s, name))
            .collect::<Read<Vec<_>>>()?;
        let out_f64 = match text(i, "out", &what)? {
            "f32" => false,
            "f64" => true,
            other => return Err(format!("IR: unknown `out` `{other}` of {what}")),
        };
        return Ok((
            Transform::Scale { steps, out_f64 },
            Lookup::default(),
            1,
            false,
            false,
        ));
    }
    if encode.is_null() {
        return Ok((Transform::None, Lookup::default(), 1, false, false));
    }
    let (enc, p) = encode
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.iter().next())
        .ok_or_else(|| format!("IR: the encoding of {what} is not `{{name: params}}`"))?;
    let unknown = p.get("unknown");
    let ignore = match unknown {
        None => false,
        Some(u) if u == "error" => false,
        Some(u) if u == "ignore" => true,
        Some(u) if u.get("oov").is_some() => false,
        Some(u) => return Err(format!("IR: unknown `unknown` policy {u} of {what}")),
    };
    Ok(match enc.as_str() {
        "one_hot" | "multi_hot" | "index" => {
            let l = lookup(field(p, "categories", &what)?, dtype, name)?;
            let k = l.k;
            match enc.as_str() {
                "one_hot" => (
                    Transform::OneHot {
                        ignore_unknown: ignore,
                    },
                    l,
                    k,
                    true,
                    false,
                ),
                "multi_hot" => (
                    Transform::MultiHot {
                        ignore_unknown: ignore,
                    },
                    l,
                    k,
                    true,
                    true,
                ),
                _ => {
                    let oov = match unknown.and_then(|u| u.get("oov")) {
                        Some(n) => Some(count(n, "`oov`")? as u64),
                        None => None,
                    };
                    (Transform::Index { oov }, l, 1, false, false)
                }
            }
        }
        "hash" => (
            Transform::Hash {
                buckets: count(field(p, "buckets", &what)?, "`buckets`")? as u64,
            },
            Lookup::default(),
            1,
            false,
            false,
        ),
        "bucketize" => (
            Transform::Bucketize {
                boundaries: array(p, "boundaries", &what)?
                    .iter()
                    .map(|b| {
                        b.as_f64()
                            .ok_or_else(|| format!("IR: a boundary of {what}"))
                    })
                    .collect::<Read<_>>()?,
            },
            Lookup::default(),
            1,
            false,
            false,
        ),
        "bytes" | "chars" => {
            let max_len = count(field(p, "max_len", &what)?, "`max_len`")?;
            let truncate = truncate(field(p, "truncate", &what)?, &what)?;
            let t = if enc == "bytes" {
                Transform::Bytes { max_len, truncate }
            } else {
                Transform::Chars { max_len, truncate }
            };
            (t, Lookup::default(), max_len, true, false)
        }
        other => return Err(format!("IR: unknown encoding `{other}` of {what}")),
    })
}

impl Plan {
    /// Reads the plan from the schema's IR text (the back-end form the derive embeds).
    ///
    /// # Errors
    /// A message when the IR is malformed, names something this runtime does not know, or still
    /// has `fit` placeholders.
    pub fn from_ir_json(ir: &str, fingerprint: &str) -> Result<Plan, String> {
        let v: Value = serde_json::from_str(ir).map_err(|e| format!("IR: {e}"))?;
        Plan::from_ir(&v, fingerprint)
    }

    /// Reads the plan from the schema's IR (its back-end form: canonical plus layout).
    ///
    /// # Errors
    /// As [`Plan::from_ir_json`].
    pub fn from_ir(v: &Value, fingerprint: &str) -> Result<Plan, String> {
        let dims_json = array(v, "dims", "the schema")?;
        let dim_names: Vec<&str> = dims_json
            .iter()
            .map(|d| text(d, "name", "a dim"))
            .collect::<Read<_>>()?;
        let dim_index = |name: &str| -> Read<usize> {
            dim_names
                .iter()
                .position(|d| *d == name)
                .ok_or_else(|| format!("IR: undeclared dim `{name}`"))
        };
        let specs = array(v, "specs", "the schema")?;
        let tensor_names: Vec<&str> = specs
            .iter()
            .map(|t| text(t, "name", "a tensor"))
            .collect::<Read<_>>()?;
        let tensor_index = |name: &str| tensor_names.iter().position(|t| *t == name);
        let mut tensors = Vec::with_capacity(specs.len());
        // Where each input goes: its tensor and first column, as the IR's layout states.
        let mut placed: HashMap<&str, (usize, usize)> = HashMap::default();
        for (ti, t) in specs.iter().enumerate() {
            let name = tensor_names[ti];
            let what = format!("tensor `{name}`");
            let axes = array(t, "shape", &what)?
                .iter()
                .map(|a| match a {
                    Value::String(s) if s == "batch" => Ok(TensorAxis::Batch),
                    Value::Number(_) => count(a, "a tensor size").map(TensorAxis::Fixed),
                    Value::Object(o) => o
                        .get("dim")
                        .and_then(Value::as_str)
                        .ok_or_else(|| format!("IR: a dim axis of {what}"))
                        .and_then(dim_index)
                        .map(TensorAxis::Dim),
                    Value::Null => Err(format!("the size of {what} {FIT}")),
                    other => Err(format!("IR: unknown axis {other} of {what}")),
                })
                .collect::<Read<Vec<_>>>()?;
            let kind = match text(t, "kind", &what)? {
                "feature" => TensorKind::Feature,
                "mask" => TensorKind::Mask,
                "label" => TensorKind::Label,
                "weight" => TensorKind::Weight,
                other => return Err(format!("IR: unknown tensor kind `{other}`")),
            };
            let dtype = text(t, "dtype", &what)?;
            let dtype =
                DType::from_name(dtype).ok_or_else(|| format!("IR: unknown dtype `{dtype}`"))?;
            for part in array(t, "parts", &what)? {
                let input = text(part, "input", "a part")?;
                let offset = field(part, "offset", "a part")?;
                if offset.is_null() {
                    return Err(format!("the layout of {what} {FIT}"));
                }
                placed.insert(input, (ti, count(offset, "a part's offset")?));
            }
            tensors.push(TensorPlan {
                name: name.to_string(),
                dtype,
                axes,
                kind,
            });
        }
        let dims = dims_json
            .iter()
            .zip(&dim_names)
            .map(|(d, name)| {
                let what = format!("dim `{name}`");
                Ok(DimPlan {
                    max: opt_count(field(d, "max", &what)?, "a dim's `max`")?,
                    min: opt_count(field(d, "min", &what)?, "a dim's `min`")?,
                    truncate: truncate(field(d, "truncate", &what)?, &what)?,
                    mask: tensor_index(&format!("{name}_mask")),
                    name: (*name).to_string(),
                })
            })
            .collect::<Read<Vec<_>>>()?;
        let mut inputs = Vec::new();
        for i in array(v, "inputs", "the schema")? {
            let name = text(i, "name", "an input")?.to_string();
            let what = format!("input `{name}`");
            let dtype = text(i, "dtype", &what)?;
            let dtype = RawType::from_name(dtype)
                .ok_or_else(|| format!("IR: unknown dtype `{dtype}` of {what}"))?;
            let shape = array(i, "shape", &what)?
                .iter()
                .map(|a| match a.as_str() {
                    Some(d) => dim_index(d).map(AxisPlan::Dim),
                    None => count(a, "a shape entry").map(AxisPlan::Fixed),
                })
                .collect::<Read<Vec<_>>>()?;
            let role = match text(i, "role", &what)? {
                "feature" => Role::Feature,
                "label" => Role::Label,
                "weight" => Role::Weight,
                other => return Err(format!("IR: unknown role `{other}` of {what}")),
            };
            let missing = field(i, "missing", &what)?;
            let fill = match missing {
                Value::String(s) if s == "error" => None,
                _ => Some(literal(
                    field(missing, "fill", &what)?,
                    dtype,
                    &format!("the fill of {what}"),
                )?),
            };
            let range = match field(i, "range", &what)? {
                Value::Null => None,
                r => {
                    let bound = |b: Option<&Value>| -> Read<Option<Literal>> {
                        match b {
                            None | Some(Value::Null) => Ok(None),
                            Some(x) => {
                                literal(x, dtype, &format!("a range bound of {what}")).map(Some)
                            }
                        }
                    };
                    let r = r
                        .as_array()
                        .filter(|r| r.len() == 2)
                        .ok_or_else(|| format!("IR: the range of {what}"))?;
                    Some((bound(r.first())?, bound(r.get(1))?))
                }
            };
            let ascii = match text(i, "charset", &what)? {
                "utf8" => false,
                "ascii" => true,
                other => return Err(format!("IR: unknown charset `{other}` of {what}")),
            };
            let (transform, lookup, width, enc_axis, reduces) = transform(i, &name, dtype)?;
            let (tensor, offset) = *placed
                .get(name.as_str())
                .ok_or_else(|| format!("IR: {what} is in no tensor's layout"))?;
            let text_mask =
                if matches!(transform, Transform::Bytes { .. } | Transform::Chars { .. })
                    && role == Role::Feature
                {
                    tensor_index(&format!("{name}_mask"))
                } else {
                    None
                };
            let column = match i.get("column") {
                None => name.clone(),
                Some(c) => c
                    .as_str()
                    .ok_or_else(|| format!("IR: the column of {what} is not a string"))?
                    .to_string(),
            };
            inputs.push(InputPlan {
                column,
                rule: ValueRule {
                    dtype,
                    fill,
                    ascii,
                    range,
                },
                name,
                shape,
                role,
                transform,
                lookup,
                tensor,
                offset,
                width,
                enc_axis,
                reduces,
                text_mask,
            });
        }
        Ok(Plan {
            columns: inputs.iter().map(|i| i.column.clone()).collect(),
            schema: text(v, "name", "the schema")?.to_string(),
            version: field(v, "version", "the schema")?
                .as_u64()
                .ok_or("IR: the version is not a number")?,
            fingerprint: fingerprint.to_string(),
            tensors,
            inputs,
            dims,
        })
    }
}
