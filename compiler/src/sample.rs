//! `tensorseam sample`: random records for a schema — valid ones, or ones that each break exactly
//! one rule, tagged with the error code (and path) they must produce.
//!
//! Valid values are drawn and then checked with the same rule the checker applies to `fill`
//! values ([`crate::check::value_rejects`]: f32 range, charset, range, categories, text length,
//! scaling domains), so a record is valid by construction. Records include labels and weights:
//! they are training records.

use crate::ir::{
    Axis, Categories, Charset, DType, Encoding, Input, Missing, Scalar, Schema, Transform,
    Truncate, Unknown,
};
use crate::Checked;
use serde_json::{json, Map, Value};

/// SplitMix64: small, seedable, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn int(&mut self, lo: i128, hi: i128) -> i128 {
        let span = (hi - lo) as u128 + 1;
        lo + (u128::from(self.next()) % span) as i128
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// The sentinel the JSONL writer turns into the bare token Python's `json` writes.
const INF_TOKEN: &str = "\u{0}Infinity";
const NAN_TOKEN: &str = "\u{0}NaN";

/// One JSON Lines line for a record (`NaN` and `Infinity` as bare tokens, as Python writes them).
pub fn jsonl_line(v: &Value) -> String {
    v.to_string()
        .replace("\"\\u0000Infinity\"", "Infinity")
        .replace("\"\\u0000NaN\"", "NaN")
}

const ALPHABET: &[&str] = &[
    "a", "b", "z", "Q", "0", " ", "-", "é", "ß", "中", "😀", "\"", "\\", "\n",
];

fn text(rng: &mut Rng, len: usize, ascii: bool) -> String {
    (0..len)
        .map(|_| {
            let s = rng.pick(ALPHABET);
            if ascii && !s.is_ascii() {
                "x"
            } else {
                s
            }
        })
        .collect()
}

/// Inclusive numeric bounds for drawing a value of `input`: its dtype ∩ its range, narrowed to a
/// window of width 2000 near zero.
fn bounds(input: &Input) -> (f64, f64) {
    let (dlo, dhi) = match input.dtype.int_bounds() {
        Some((lo, hi)) => (lo as f64, hi as f64),
        None if input.dtype == DType::F32 => (-f64::from(f32::MAX), f64::from(f32::MAX)),
        None => (-f64::MAX, f64::MAX),
    };
    let bound = |b: Option<&Scalar>| b.and_then(crate::check::scalar_f64);
    let range = input.range.as_ref();
    let lo = bound(range.and_then(|r| r.lo.as_ref())).map_or(dlo, |l| l.max(dlo));
    let hi = bound(range.and_then(|r| r.hi.as_ref())).map_or(dhi, |h| h.min(dhi));
    let wlo = lo.max(-1000.0).min(hi);
    (wlo, hi.min(wlo + 2000.0).max(wlo))
}

/// An integer as JSON: exact when it fits 64 bits, else the nearest float (still integral).
fn int_json(v: i128) -> Value {
    match crate::ir::json::scalar(&Scalar::Int(v)) {
        Value::Null => json!(v as f64),
        j => j,
    }
}

fn categories(input: &Input) -> Option<(&[Scalar], Unknown)> {
    match &input.transform {
        Transform::Encode(Encoding::OneHot {
            categories: Categories::List(l),
            unknown,
            ..
        })
        | Transform::Encode(Encoding::Index {
            categories: Categories::List(l),
            unknown,
            ..
        })
        | Transform::Encode(Encoding::MultiHot {
            categories: Categories::List(l),
            unknown,
            ..
        }) => Some((l, *unknown)),
        _ => None,
    }
}

fn text_limit(input: &Input) -> Option<(u64, Truncate)> {
    match &input.transform {
        Transform::Encode(
            Encoding::Bytes {
                max_len, truncate, ..
            }
            | Encoding::Chars {
                max_len, truncate, ..
            },
        ) => Some((*max_len, *truncate)),
        _ => None,
    }
}

/// One candidate raw value (not yet checked).
fn draw(rng: &mut Rng, input: &Input) -> Scalar {
    if let Some((cats, unknown)) = categories(input) {
        if unknown == Unknown::Error || !rng.chance(15) {
            return rng.pick(cats).clone();
        }
    }
    let (lo, hi) = bounds(input);
    match input.dtype {
        DType::Bool => Scalar::Bool(rng.chance(50)),
        DType::Str => {
            let ascii = input.charset == Charset::Ascii;
            let len = match text_limit(input) {
                Some((max, Truncate::Error)) => rng.int(0, max as i128) as usize,
                Some((max, _)) => rng.int(0, max as i128 + 3) as usize,
                None => rng.int(0, 8) as usize,
            };
            Scalar::Str(text(rng, len, ascii))
        }
        d if d.is_int() => Scalar::Int(rng.int(lo.ceil() as i128, hi.floor() as i128)),
        DType::F32 => Scalar::Float(f64::from(rng.float(lo, hi) as f32)),
        _ => Scalar::Float(rng.float(lo, hi)),
    }
}

/// A valid raw value: drawn until the input accepts it, then the bounds, zero and the categories.
fn valid(rng: &mut Rng, input: &Input) -> Option<Scalar> {
    let (lo, hi) = bounds(input);
    let fallbacks = [
        Scalar::Float(0.0),
        Scalar::Float(lo),
        Scalar::Float(hi),
        Scalar::Float(1.0),
    ];
    (0..32)
        .map(|_| draw(rng, input))
        .chain(fallbacks.into_iter().map(|f| match (&f, input.dtype) {
            (Scalar::Float(x), d) if d.is_int() => Scalar::Int(*x as i128),
            _ => f,
        }))
        .chain(
            categories(input)
                .map(|(c, _)| c.to_vec())
                .unwrap_or_default(),
        )
        .find(|v| crate::check::value_rejects(input, v).is_none() && fits(input.dtype, v))
}

fn fits(dtype: DType, v: &Scalar) -> bool {
    match (dtype, v) {
        (DType::Bool, Scalar::Bool(_)) | (DType::Str, Scalar::Str(_)) => true,
        (d, Scalar::Int(i)) => d.int_bounds().is_some_and(|(lo, hi)| (lo..=hi).contains(i)),
        (d, Scalar::Float(_)) => d.is_float(),
        _ => false,
    }
}

fn to_json(v: &Scalar) -> Value {
    match v {
        Scalar::Bool(b) => json!(b),
        Scalar::Int(i) => crate::ir::json::scalar(&Scalar::Int(*i)),
        Scalar::Float(f) => json!(f),
        Scalar::Str(s) => json!(s),
    }
}

/// Per-record lengths of each dim.
fn dim_lengths(rng: &mut Rng, schema: &Schema, exact: bool) -> Vec<usize> {
    schema
        .dims
        .iter()
        .map(|d| {
            let min = d.min.unwrap_or(0) as i128;
            let min = if exact { min.max(1) } else { min };
            match d.max {
                Some(max) if d.truncate != Truncate::Error && !exact => {
                    rng.int(min, max as i128 + 2) as usize
                }
                Some(max) => rng.int(min.min(max as i128), max as i128) as usize,
                None => rng.int(min, min + 5) as usize,
            }
        })
        .collect()
}

/// A valid value for `input` along its shape. `None` when no valid value exists (a schema whose
/// rules exclude every value).
fn value(
    rng: &mut Rng,
    schema: &Schema,
    input: &Input,
    lens: &[usize],
    axis: usize,
) -> Option<Value> {
    if axis == input.shape.len() {
        return valid(rng, input).map(|v| to_json(&v));
    }
    let n = match &input.shape[axis] {
        Axis::Fixed(n) => *n as usize,
        Axis::Dim(d) => lens[schema.dims.iter().position(|x| x.name == *d)?],
    };
    (0..n)
        .map(|_| value(rng, schema, input, lens, axis + 1))
        .collect::<Option<Vec<_>>>()
        .map(Value::Array)
}

/// Whether a scalar input accepts a JSON value drawn for another input reading its column.
fn accepts(input: &Input, v: Option<&Value>) -> bool {
    let scalar = match v {
        None | Some(Value::Null) => return matches!(input.missing, Missing::Fill(_)),
        Some(Value::String(s)) if s == NAN_TOKEN => {
            return input.dtype.is_float() && matches!(input.missing, Missing::Fill(_))
        }
        Some(Value::Bool(b)) => Scalar::Bool(*b),
        Some(Value::String(s)) => Scalar::Str(s.clone()),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Scalar::Int(i.into()),
            (_, Some(u), _) => Scalar::Int(u.into()),
            (_, _, Some(f)) => Scalar::Float(f),
            _ => return false,
        },
        Some(_) => return false,
    };
    input.shape.is_empty() && crate::check::value_rejects(input, &scalar).is_none()
}

fn record(rng: &mut Rng, schema: &Schema, exact: bool) -> Option<Map<String, Value>> {
    let lens = dim_lengths(rng, schema, exact);
    let mut out = Map::new();
    let mut drawn = std::collections::HashSet::new();
    for input in &schema.inputs {
        let column = input.column();
        // A column another input already read: its value must suit this input too.
        if !drawn.insert(column) {
            if !accepts(input, out.get(column)) {
                return None;
            }
            continue;
        }
        if let (Missing::Fill(_), false) = (&input.missing, exact) {
            if rng.chance(10) {
                if input.dtype.is_float() && rng.chance(50) {
                    out.insert(column.to_string(), json!(NAN_TOKEN));
                } else if rng.chance(50) {
                    out.insert(column.to_string(), Value::Null);
                }
                continue;
            }
        }
        out.insert(column.to_string(), value(rng, schema, input, &lens, 0)?);
    }
    Some(out)
}

/// The most values one sampled record may hold: a schema whose shapes ask for more (SPEC §9 lets a
/// tensor hold 2^31 elements per example) is refused rather than written out as gigabytes of JSON.
pub const MAX_RECORD_VALUES: u128 = 1 << 22;

/// The most values a record of this schema can hold as `sample` draws it (fixed sizes, dims up
/// to their `max` and a little past it, dims without `max` up to `min + 5`).
pub fn record_values(schema: &Schema) -> u128 {
    let dim_len = |name: &str| -> u128 {
        schema.dim(name).map_or(1, |d| match d.max {
            Some(max) => u128::from(max) + 2,
            None => u128::from(d.min.unwrap_or(0)) + 5,
        })
    };
    schema
        .inputs
        .iter()
        .map(|i| {
            let text = text_limit(i).map_or(1, |(max, _)| u128::from(max) + 3);
            i.shape.iter().fold(text, |acc, a| {
                acc.saturating_mul(match a {
                    Axis::Fixed(n) => u128::from(*n),
                    Axis::Dim(d) => dim_len(d),
                })
            })
        })
        .fold(0u128, u128::saturating_add)
}

/// `n` valid training records.
pub fn records(checked: &Checked, n: usize, seed: u64) -> Vec<Value> {
    let mut rng = Rng(seed);
    (0..n)
        .filter_map(|_| record(&mut rng, checked.schema(), false).map(Value::Object))
        .collect()
}

/// A record that breaks one rule, with the code and path the break must produce.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    /// The record.
    pub record: Value,
    /// The validation code it must produce (`missing`, `wrong_type`, ...).
    pub code: &'static str,
    /// The field path of that error.
    pub path: String,
}

impl Invalid {
    /// The JSONL form: `{"expect": {"code": …, "path": …}, "record": {…}}`.
    pub fn to_value(&self) -> Value {
        json!({"expect": {"code": self.code, "path": self.path}, "record": self.record})
    }
}

/// The path of the first leaf of an input: `name[0][0]` for rank 2.
fn first_leaf(input: &Input) -> String {
    format!("{}{}", input.column(), "[0]".repeat(input.shape.len()))
}

/// A value for the first leaf that breaks `code`, if the input can break it that way.
fn breaking_leaf(input: &Input, code: &str) -> Option<Value> {
    let in_cats = |v: &Scalar| categories(input).is_some_and(|(c, _)| c.contains(v));
    match code {
        "missing" if input.missing == Missing::Error || !input.shape.is_empty() => {
            Some(Value::Null)
        }
        "wrong_type" => Some(match input.dtype {
            DType::Str => json!(12),
            DType::Bool => json!(1),
            _ => json!("12"),
        }),
        "non_finite" if input.dtype.is_float() => Some(json!(INF_TOKEN)),
        "out_of_range" => {
            let hi = input
                .range
                .as_ref()
                .and_then(|r| r.hi.as_ref())
                .and_then(crate::check::scalar_f64);
            match (input.dtype.int_bounds(), hi) {
                (Some((_, max)), Some(h)) if (h as i128) < max => Some(int_json(h as i128 + 1)),
                (Some((_, max)), _) => Some(int_json(max + 1)),
                (None, Some(h)) if input.dtype.is_float() && h.abs() < 1e30 => {
                    Some(json!(h.abs() * 2.0 + 1.0))
                }
                _ => None,
            }
        }
        "unknown_category" => {
            let (_, unknown) = categories(input)?;
            if unknown != Unknown::Error {
                return None;
            }
            let candidate = match input.dtype {
                DType::Str => Scalar::Str("zz not a category".into()),
                DType::Bool => return None,
                _ => {
                    let (lo, hi) = bounds(input);
                    (lo.ceil() as i128..=hi.floor() as i128)
                        .take(10_000)
                        .map(Scalar::Int)
                        .find(|v| !in_cats(v))?
                }
            };
            (!in_cats(&candidate)).then(|| to_json(&candidate))
        }
        // The charset is checked before categories and lengths, so this is the only error.
        "not_ascii" if input.dtype == DType::Str && input.charset == Charset::Ascii => {
            Some(json!("é"))
        }
        _ => None,
    }
}

fn set_first_leaf(v: &mut Value, rank: usize, leaf: Value) {
    if rank == 0 {
        *v = leaf;
    } else if let Some(first) = v.as_array_mut().and_then(|a| a.first_mut()) {
        set_first_leaf(first, rank - 1, leaf);
    }
}

/// Every single-rule break this schema allows, for one valid base record.
fn breaks(schema: &Schema, base: &Map<String, Value>) -> Vec<Invalid> {
    let mut out = Vec::new();
    let leaf_codes = [
        "missing",
        "wrong_type",
        "non_finite",
        "out_of_range",
        "unknown_category",
        "not_ascii",
    ];
    for input in &schema.inputs {
        let rank = input.shape.len();
        for code in leaf_codes {
            let Some(leaf) = breaking_leaf(input, code) else {
                continue;
            };
            let mut record = base.clone();
            if let Some(v) = record.get_mut(input.column()) {
                set_first_leaf(v, rank, leaf);
            }
            out.push(Invalid {
                record: Value::Object(record),
                code,
                path: first_leaf(input),
            });
        }
        // A scalar where a list belongs, and a whole shaped field missing.
        if rank > 0 {
            let mut record = base.clone();
            record.insert(input.column().to_string(), json!(1));
            out.push(Invalid {
                record: Value::Object(record),
                code: "wrong_type",
                path: input.column().to_string(),
            });
        }
        if let Some(Axis::Fixed(n)) = input.shape.first() {
            let mut record = base.clone();
            if let Some(Value::Array(items)) = record.get_mut(input.column()) {
                items.truncate((*n as usize).saturating_sub(1));
                out.push(Invalid {
                    record: Value::Object(record),
                    code: "wrong_length",
                    path: input.column().to_string(),
                });
            }
        }
        if let Some((max, Truncate::Error)) = text_limit(input) {
            let mut record = base.clone();
            record.insert(
                input.column().to_string(),
                json!("x".repeat(max as usize + 1)),
            );
            out.push(Invalid {
                record: Value::Object(record),
                code: "too_long",
                path: input.column().to_string(),
            });
        }
    }
    // Dims: too long when one input alone uses the dim first-axis; a mismatch when two do.
    for dim in &schema.dims {
        let users: Vec<&Input> = schema
            .inputs
            .iter()
            .filter(|i| matches!(i.shape.first(), Some(Axis::Dim(d)) if *d == dim.name))
            .collect();
        let nested = schema.inputs.iter().any(|i| {
            i.shape
                .iter()
                .skip(1)
                .any(|a| matches!(a, Axis::Dim(d) if *d == dim.name))
        });
        if nested || users.is_empty() {
            continue;
        }
        let grow = |record: &mut Map<String, Value>, input: &Input, to: usize| {
            if let Some(Value::Array(items)) = record.get_mut(input.column()) {
                if let Some(first) = items.first().cloned() {
                    items.resize(to, first);
                }
            }
        };
        let len = base
            .get(users[0].column())
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if len == 0 {
            continue;
        }
        if let (Some(max), Truncate::Error, [only]) = (dim.max, dim.truncate, users.as_slice()) {
            let mut record = base.clone();
            grow(&mut record, only, max as usize + 1);
            out.push(Invalid {
                record: Value::Object(record),
                code: "too_long",
                path: only.column().to_string(),
            });
        }
        if users.len() >= 2 && dim.max.is_none_or(|m| (len as u64) < m) {
            let mut record = base.clone();
            grow(&mut record, users[1], len + 1);
            out.push(Invalid {
                record: Value::Object(record),
                code: "dim_mismatch",
                path: users[1].column().to_string(),
            });
        }
    }
    out
}

/// `n` invalid training records, cycling through every single-rule break the schema allows.
/// Empty when no valid base record exists or nothing can be broken.
pub fn invalid(checked: &Checked, n: usize, seed: u64) -> Vec<Invalid> {
    let mut rng = Rng(seed);
    let schema = checked.schema();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let Some(base) = record(&mut rng, schema, true) else {
            break;
        };
        let all = breaks(schema, &base);
        let Some(pick) = all.get(i % all.len().max(1)) else {
            break;
        };
        out.push(pick.clone());
    }
    out
}
