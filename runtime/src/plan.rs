//! The encoding plan: what the engine needs per input and tensor, read from the schema's IR JSON
//! (the `gen ir` layout). The derive embeds that JSON in generated code and the dynamic path
//! serializes its checked schema to it, so both build the plan with this one function.

use crate::ops::Truncate;
use crate::tensor::DType;
use serde_json::Value;
use std::collections::HashMap;

/// A raw (record-side) dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawType {
    /// `bool`
    Bool,
    /// An integer dtype, with its inclusive bounds.
    Int(DType, i128, i128),
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `str`
    Str,
}

impl RawType {
    fn from_name(name: &str) -> Option<RawType> {
        Some(match name {
            "bool" => RawType::Bool,
            "i8" => RawType::Int(DType::I8, i8::MIN.into(), i8::MAX.into()),
            "i16" => RawType::Int(DType::I16, i16::MIN.into(), i16::MAX.into()),
            "i32" => RawType::Int(DType::I32, i32::MIN.into(), i32::MAX.into()),
            "i64" => RawType::Int(DType::I64, i64::MIN.into(), i64::MAX.into()),
            "u8" => RawType::Int(DType::U8, 0, u8::MAX.into()),
            "u16" => RawType::Int(DType::U16, 0, u16::MAX.into()),
            "u32" => RawType::Int(DType::U32, 0, u32::MAX.into()),
            "u64" => RawType::Int(DType::U64, 0, u64::MAX.into()),
            "f32" => RawType::F32,
            "f64" => RawType::F64,
            "str" => RawType::Str,
            _ => return None,
        })
    }

    /// The name as schemas write it.
    pub fn name(self) -> &'static str {
        match self {
            RawType::Bool => "bool",
            RawType::Int(d, ..) => d.name(),
            RawType::F32 => "f32",
            RawType::F64 => "f64",
            RawType::Str => "str",
        }
    }

    /// `f32` or `f64`.
    pub fn is_float(self) -> bool {
        matches!(self, RawType::F32 | RawType::F64)
    }
}

/// A literal of an input's raw kind (fill values, range bounds).
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `true`/`false`
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
}

impl std::fmt::Display for Literal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{x}"),
            Literal::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// One scaling step.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Step {
    Standardize { mean: f64, std: f64 },
    MinMax { min: f64, max: f64 },
    Affine { scale: f64, offset: f64 },
    Divide(f64),
    Log1p,
    Clip { min: Option<f64>, max: Option<f64> },
}

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
}

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
    /// The mask tensor, when a feature uses the dim.
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
    /// Raw dtype.
    pub dtype: RawType,
    /// Raw shape.
    pub shape: Vec<AxisPlan>,
    /// Feature, label, weight.
    pub role: Role,
    /// `missing: {fill}`.
    pub fill: Option<Literal>,
    /// Inclusive bounds.
    pub range: Option<(Option<Literal>, Option<Literal>)>,
    /// `charset: ascii`.
    pub ascii: bool,
    /// The transform.
    pub transform: Transform,
    /// Category lookup (one_hot, index, multi_hot).
    pub lookup: Lookup,
    /// Output tensor.
    pub tensor: usize,
    /// Offset along the tensor's last axis (concat).
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
}

fn truncate(v: &Value) -> Truncate {
    match v.as_str() {
        Some("right") => Truncate::Right,
        Some("left") => Truncate::Left,
        _ => Truncate::Error,
    }
}

fn literal(v: &Value, dtype: RawType) -> Option<Literal> {
    Some(match (v, dtype) {
        (Value::Bool(b), _) => Literal::Bool(*b),
        (Value::String(s), _) => Literal::Str(s.clone()),
        (Value::Number(n), RawType::Int(..)) => Literal::Int(
            n.as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))?,
        ),
        (Value::Number(n), _) => Literal::Float(n.as_f64()?),
        _ => return None,
    })
}

fn f(v: &Value, key: &str) -> Result<f64, String> {
    v.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("IR: `{key}` is not a number"))
}

fn step(v: &Value) -> Result<Step, String> {
    if v.as_str() == Some("log1p") {
        return Ok(Step::Log1p);
    }
    let (name, p) = v
        .as_object()
        .and_then(|m| m.iter().next())
        .ok_or("IR: bad scaling step")?;
    if p.as_str() == Some("fit") {
        return Err(format!(
            "`{name}` has a `fit` placeholder; run `tensorseam fit` first"
        ));
    }
    Ok(match name.as_str() {
        "standardize" => Step::Standardize {
            mean: f(p, "mean")?,
            std: f(p, "std")?,
        },
        "minmax" => Step::MinMax {
            min: f(p, "min")?,
            max: f(p, "max")?,
        },
        "affine" => Step::Affine {
            scale: f(p, "scale")?,
            offset: f(p, "offset")?,
        },
        "divide" => Step::Divide(f(p, "by")?),
        "clip" => Step::Clip {
            min: p.get("min").and_then(Value::as_f64),
            max: p.get("max").and_then(Value::as_f64),
        },
        other => return Err(format!("IR: unknown step `{other}`")),
    })
}

fn lookup(categories: &Value, dtype: RawType) -> Result<Lookup, String> {
    let list = categories
        .as_array()
        .ok_or("categories have a `fit` placeholder; run `tensorseam fit` first")?;
    let mut l = Lookup {
        k: list.len(),
        ..Lookup::default()
    };
    for (i, c) in list.iter().enumerate() {
        match literal(c, dtype) {
            Some(Literal::Str(s)) => {
                l.strs.insert(s, i);
            }
            Some(Literal::Int(v)) => {
                l.ints.insert(v, i);
            }
            Some(Literal::Bool(b)) => l.bools[usize::from(b)] = Some(i),
            _ => return Err("IR: bad category".into()),
        }
    }
    Ok(l)
}

impl Plan {
    /// Reads the plan from the schema's IR JSON (`tensorseam gen ir`, with or without docs).
    ///
    /// # Errors
    /// A message when the IR is malformed or still has `fit` placeholders.
    pub fn from_ir_json(ir: &str, fingerprint: &str) -> Result<Plan, String> {
        let v: Value = serde_json::from_str(ir).map_err(|e| format!("IR: {e}"))?;
        let arr = |key: &str| {
            v.get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let usize_of = |x: &Value| x.as_u64().map(|n| n as usize);
        let dims_json = arr("dims");
        let dim_index = |name: &str| dims_json.iter().position(|d| d["name"] == name);
        let specs = arr("specs");
        let tensor_index = |name: &str| specs.iter().position(|t| t["name"] == name);
        let tensors = specs
            .iter()
            .map(|t| {
                let axes = t["shape"]
                    .as_array()
                    .ok_or("IR: tensor shape")?
                    .iter()
                    .map(|a| match a {
                        Value::String(s) if s == "batch" => Ok(TensorAxis::Batch),
                        Value::Number(n) => Ok(TensorAxis::Fixed(n.as_u64().unwrap_or(0) as usize)),
                        Value::Object(o) => o.get("dim").and_then(Value::as_str).and_then(dim_index).map(TensorAxis::Dim).ok_or_else(|| "IR: tensor dim".to_string()),
                        _ => Err("a tensor size depends on a `fit` placeholder; run `tensorseam fit` first".to_string()),
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Ok(TensorPlan {
                    name: t["name"].as_str().unwrap_or_default().to_string(),
                    dtype: t["dtype"].as_str().and_then(DType::from_name).ok_or("IR: tensor dtype")?,
                    axes,
                    kind: match t["kind"].as_str() {
                        Some("mask") => TensorKind::Mask,
                        Some("label") => TensorKind::Label,
                        Some("weight") => TensorKind::Weight,
                        _ => TensorKind::Feature,
                    },
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let dims = dims_json
            .iter()
            .map(|d| {
                let name = d["name"].as_str().unwrap_or_default().to_string();
                DimPlan {
                    max: usize_of(&d["max"]),
                    min: usize_of(&d["min"]),
                    truncate: truncate(&d["truncate"]),
                    mask: tensor_index(&format!("{name}_mask")),
                    name,
                }
            })
            .collect();
        let decls = arr("tensors");
        let mut inputs = Vec::new();
        for i in arr("inputs") {
            let name = i["name"].as_str().unwrap_or_default().to_string();
            let dtype = i["dtype"]
                .as_str()
                .and_then(RawType::from_name)
                .ok_or("IR: input dtype")?;
            let shape = i["shape"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .map(|a| {
                            a.as_str().and_then(dim_index).map_or_else(
                                || AxisPlan::Fixed(usize_of(a).unwrap_or(0)),
                                AxisPlan::Dim,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let role = match i["role"].as_str() {
                Some("label") => Role::Label,
                Some("weight") => Role::Weight,
                _ => Role::Feature,
            };
            let fill = i["missing"].get("fill").and_then(|v| literal(v, dtype));
            let range = i["range"].as_array().map(|r| {
                (
                    r.first().and_then(|v| literal(v, dtype)),
                    r.get(1).and_then(|v| literal(v, dtype)),
                )
            });
            let mut l = Lookup::default();
            let (transform, width, enc_axis, reduces) = if let Some(steps) = i["scale"].as_array() {
                let steps = steps
                    .iter()
                    .map(step)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("input `{name}`: {e}"))?;
                (
                    Transform::Scale {
                        steps,
                        out_f64: i["out"] == "f64",
                    },
                    1,
                    false,
                    false,
                )
            } else if let Some((enc, p)) = i["encode"].as_object().and_then(|m| m.iter().next()) {
                let ignore = p["unknown"] == "ignore";
                match enc.as_str() {
                    "one_hot" | "multi_hot" | "index" => {
                        l = lookup(&p["categories"], dtype)
                            .map_err(|e| format!("input `{name}`: {e}"))?;
                        let k = l.k;
                        match enc.as_str() {
                            "one_hot" => (
                                Transform::OneHot {
                                    ignore_unknown: ignore,
                                },
                                k,
                                true,
                                false,
                            ),
                            "multi_hot" => (
                                Transform::MultiHot {
                                    ignore_unknown: ignore,
                                },
                                k,
                                true,
                                true,
                            ),
                            _ => (
                                Transform::Index {
                                    oov: p["unknown"].get("oov").and_then(Value::as_u64),
                                },
                                1,
                                false,
                                false,
                            ),
                        }
                    }
                    "hash" => (
                        Transform::Hash {
                            buckets: p["buckets"].as_u64().unwrap_or(1),
                        },
                        1,
                        false,
                        false,
                    ),
                    "bucketize" => (
                        Transform::Bucketize {
                            boundaries: p["boundaries"]
                                .as_array()
                                .map(|b| b.iter().filter_map(Value::as_f64).collect())
                                .unwrap_or_default(),
                        },
                        1,
                        false,
                        false,
                    ),
                    text => {
                        let max_len = usize_of(&p["max_len"]).unwrap_or(0);
                        let t = if text == "bytes" {
                            Transform::Bytes {
                                max_len,
                                truncate: truncate(&p["truncate"]),
                            }
                        } else {
                            Transform::Chars {
                                max_len,
                                truncate: truncate(&p["truncate"]),
                            }
                        };
                        (t, max_len, true, false)
                    }
                }
            } else {
                (Transform::None, 1, false, false)
            };
            // The tensor this input feeds, and its offset along a concat's last axis.
            let (tensor, offset) = match decls.iter().find(|d| {
                d["concat"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|x| x == name.as_str()))
            }) {
                Some(d) => {
                    let parts: Vec<&str> = d["concat"]
                        .as_array()
                        .map(|c| c.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let offset = parts
                        .iter()
                        .take_while(|p| **p != name)
                        .map(|p| part_width(&v, p))
                        .sum();
                    (
                        tensor_index(d["name"].as_str().unwrap_or_default()).unwrap_or(0),
                        offset,
                    )
                }
                None => (tensor_index(&name).unwrap_or(0), 0),
            };
            let text_mask =
                if matches!(transform, Transform::Bytes { .. } | Transform::Chars { .. })
                    && role == Role::Feature
                {
                    tensor_index(&format!("{name}_mask"))
                } else {
                    None
                };
            inputs.push(InputPlan {
                ascii: i["charset"] == "ascii",
                name,
                dtype,
                shape,
                role,
                fill,
                range,
                transform,
                lookup: l,
                tensor,
                offset,
                width,
                enc_axis,
                reduces,
                text_mask,
            });
        }
        Ok(Plan {
            schema: v["name"].as_str().unwrap_or_default().to_string(),
            version: v["version"].as_u64().unwrap_or(0),
            fingerprint: fingerprint.to_string(),
            tensors,
            inputs,
            dims,
        })
    }
}

/// The size an input contributes along a concat's last axis (scalars count as 1).
fn part_width(ir: &Value, name: &str) -> usize {
    let Some(i) = ir["inputs"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == name))
    else {
        return 0;
    };
    if let Some((enc, p)) = i["encode"].as_object().and_then(|m| m.iter().next()) {
        match enc.as_str() {
            "one_hot" | "multi_hot" => return p["categories"].as_array().map_or(0, Vec::len),
            "bytes" | "chars" => return p["max_len"].as_u64().unwrap_or(0) as usize,
            _ => {}
        }
    }
    i["shape"]
        .as_array()
        .and_then(|s| s.last())
        .and_then(Value::as_u64)
        .map_or(1, |n| n as usize)
}
