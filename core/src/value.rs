//! The value rule (SPEC §9): how one raw value is taken for an input — missing → type →
//! non-finite → charset → range — written once. The runtime's engine, every reader, `fit`, the
//! checker's rule that a fill value must itself validate, and the derive's generated code all
//! come here, so a value means the same thing wherever it arrives from. (The generated Python
//! module is the one other copy, held to this one by the parity tests.)

use crate::code::ErrorCode;
use std::fmt;

/// An integer dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum IntType {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

impl IntType {
    /// The name as schemas write it.
    pub fn name(self) -> &'static str {
        match self {
            IntType::I8 => "i8",
            IntType::I16 => "i16",
            IntType::I32 => "i32",
            IntType::I64 => "i64",
            IntType::U8 => "u8",
            IntType::U16 => "u16",
            IntType::U32 => "u32",
            IntType::U64 => "u64",
        }
    }

    /// Inclusive bounds.
    pub fn bounds(self) -> (i128, i128) {
        match self {
            IntType::I8 => (i8::MIN.into(), i8::MAX.into()),
            IntType::I16 => (i16::MIN.into(), i16::MAX.into()),
            IntType::I32 => (i32::MIN.into(), i32::MAX.into()),
            IntType::I64 => (i64::MIN.into(), i64::MAX.into()),
            IntType::U8 => (0, u8::MAX.into()),
            IntType::U16 => (0, u16::MAX.into()),
            IntType::U32 => (0, u32::MAX.into()),
            IntType::U64 => (0, u64::MAX.into()),
        }
    }
}

/// A raw (record-side) dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RawType {
    /// `bool`
    Bool,
    /// An integer dtype.
    Int(IntType),
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `str`
    Str,
}

impl RawType {
    /// Every raw dtype, in the order the spec lists them.
    pub const ALL: [RawType; 12] = [
        RawType::Bool,
        RawType::Int(IntType::I8),
        RawType::Int(IntType::I16),
        RawType::Int(IntType::I32),
        RawType::Int(IntType::I64),
        RawType::Int(IntType::U8),
        RawType::Int(IntType::U16),
        RawType::Int(IntType::U32),
        RawType::Int(IntType::U64),
        RawType::F32,
        RawType::F64,
        RawType::Str,
    ];

    /// The dtype named `name`.
    pub fn from_name(name: &str) -> Option<RawType> {
        RawType::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The name as schemas write it.
    pub fn name(self) -> &'static str {
        match self {
            RawType::Bool => "bool",
            RawType::Int(i) => i.name(),
            RawType::F32 => "f32",
            RawType::F64 => "f64",
            RawType::Str => "str",
        }
    }

    /// `f32` or `f64`.
    pub fn is_float(self) -> bool {
        matches!(self, RawType::F32 | RawType::F64)
    }

    /// What a value of this dtype is called in messages.
    fn expected(self) -> &'static str {
        match self {
            RawType::Bool => "`true` or `false`",
            RawType::Str => "a string",
            RawType::Int(_) => "an integer",
            RawType::F32 | RawType::F64 => "a number",
        }
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

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{x}"),
            Literal::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// A raw value as a reader or a struct field presents it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Leaf<'a> {
    /// Absent or null.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer (i128 holds every i64 and u64, and the integers beyond them a reader keeps
    /// exactly).
    Int(i128),
    /// A float (NaN and ±inf included).
    Float(f64),
    /// Text.
    Str(&'a str),
    /// A list of this many values where a scalar belongs.
    List(usize),
    /// An object where a value belongs.
    Object,
}

/// How a value is named in messages: `the string "abc"`, `true`, `2.5`, `a list of 3`.
pub fn describe(v: Leaf<'_>) -> String {
    match v {
        Leaf::Null => "null".to_string(),
        Leaf::Bool(b) => b.to_string(),
        Leaf::Int(i) => i.to_string(),
        Leaf::Float(f) if f.is_nan() => "NaN".to_string(),
        Leaf::Float(f) if f.is_infinite() => {
            if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
        }
        Leaf::Float(f) => format!("{f:?}"),
        Leaf::Str(s) => {
            let shown: String = s.chars().take(40).collect();
            let more = if shown.len() < s.len() { "…" } else { "" };
            format!("the string {shown:?}{more}")
        }
        Leaf::List(n) => format!("a list of {n}"),
        Leaf::Object => "an object".to_string(),
    }
}

/// A value taken in its raw dtype (an `f32` input's float already rounded to f32).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Typed<'a> {
    /// `bool`
    Bool(bool),
    /// An integer within its dtype.
    Int(i128),
    /// A finite float.
    Float(f64),
    /// Text.
    Str(&'a str),
}

impl Typed<'_> {
    /// Widened to f64 for range checks, bucketize and scaling (NaN for text).
    pub fn as_f64(self) -> f64 {
        match self {
            Typed::Int(i) => i as f64,
            Typed::Float(f) => f,
            Typed::Bool(b) => f64::from(u8::from(b)),
            Typed::Str(_) => f64::NAN,
        }
    }

    /// As messages show it: `true`, `3`, `2.5`, `"Mars"`.
    pub fn shown(self) -> String {
        match self {
            Typed::Bool(b) => b.to_string(),
            Typed::Int(i) => i.to_string(),
            Typed::Float(f) => format!("{f:?}"),
            Typed::Str(s) => describe(Leaf::Str(s))
                .trim_start_matches("the string ")
                .to_string(),
        }
    }
}

/// Why a value was rejected: a stable code and a message with the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    /// The code.
    pub code: ErrorCode,
    /// What is wrong.
    pub message: String,
}

impl Reject {
    fn new(code: ErrorCode, message: String) -> Reject {
        Reject { code, message }
    }
}

/// What an input asks of each raw value.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueRule {
    /// The raw dtype.
    pub dtype: RawType,
    /// `missing: {fill}` (scalar inputs).
    pub fill: Option<Literal>,
    /// `charset: ascii`.
    pub ascii: bool,
    /// Inclusive bounds.
    pub range: Option<(Option<Literal>, Option<Literal>)>,
}

/// A float as a struct field holds it, taken by the rule: `Ok(None)` for NaN (missing), `Err` for
/// ±inf (`non_finite`), else the value. (An `f32` field holds an f32 already.)
///
/// # Errors
/// [`ErrorCode::NonFinite`] for ±inf.
#[inline]
pub fn field_float(x: f64) -> Result<Option<f64>, ErrorCode> {
    if x.is_nan() {
        Ok(None)
    } else if x.is_infinite() {
        Err(ErrorCode::NonFinite)
    } else {
        Ok(Some(x))
    }
}

/// Whether a float lies within inclusive bounds (`-inf`/`inf` for an open one).
#[inline]
pub fn within(x: f64, lo: f64, hi: f64) -> bool {
    x >= lo && x <= hi
}

/// Whether an integer lies within inclusive bounds, exactly.
#[inline]
pub fn within_int(x: i128, lo: i128, hi: i128) -> bool {
    x >= lo && x <= hi
}

/// A range bound as a float (open bounds are infinite).
fn float_bound(b: Option<&Literal>, open: f64) -> f64 {
    match b {
        Some(Literal::Int(i)) => *i as f64,
        Some(Literal::Float(f)) => *f,
        _ => open,
    }
}

/// Whether a typed value lies within the range: exactly between integers, in f64 otherwise.
fn in_range(x: Typed<'_>, lo: Option<&Literal>, hi: Option<&Literal>) -> bool {
    let int = |b: Option<&Literal>| match b {
        Some(Literal::Int(i)) => Some(*i),
        _ => None,
    };
    match x {
        Typed::Int(i)
            if lo.is_none_or(|b| int(Some(b)).is_some())
                && hi.is_none_or(|b| int(Some(b)).is_some()) =>
        {
            within_int(
                i,
                int(lo).unwrap_or(i128::MIN),
                int(hi).unwrap_or(i128::MAX),
            )
        }
        Typed::Str(_) => true,
        x => within(
            x.as_f64(),
            float_bound(lo, f64::NEG_INFINITY),
            float_bound(hi, f64::INFINITY),
        ),
    }
}

/// The f32 nearest a raw f64, widened back (an `f32` input's value); a finite value outside f32's
/// range does not fit.
#[inline]
pub fn round_f32(x: f64) -> Option<f64> {
    let y = x as f32;
    (!(y.is_infinite() && x.is_finite())).then_some(f64::from(y))
}

impl ValueRule {
    /// Whether `v` is missing: absent, null, or NaN for a float input.
    #[inline]
    pub fn is_missing(&self, v: Leaf<'_>) -> bool {
        match v {
            Leaf::Null => true,
            Leaf::Float(f) => f.is_nan() && self.dtype.is_float(),
            _ => false,
        }
    }

    /// The fill value, taken as a record's value is (an `f32` input's rounded to f32).
    #[inline]
    pub fn filled(&self) -> Option<Typed<'_>> {
        Some(match self.fill.as_ref()? {
            Literal::Bool(b) => Typed::Bool(*b),
            Literal::Int(i) if self.dtype.is_float() => Typed::Float(*i as f64),
            Literal::Int(i) => Typed::Int(*i),
            Literal::Float(f) if self.dtype == RawType::F32 => Typed::Float(f64::from(*f as f32)),
            Literal::Float(f) => Typed::Float(*f),
            Literal::Str(s) => Typed::Str(s),
        })
    }

    /// The common case of [`ValueRule::take`] for a finite number of a float input, without
    /// building anything on the way: `Some(x)` when the value is accepted as is (rounded to f32 for
    /// an `f32` input, inside the range), `None` when `take` must decide (NaN is missing, ±inf not
    /// finite, a value outside f32 or the range, an integer input).
    #[inline]
    pub fn accept_float(&self, f: f64) -> Option<f64> {
        if !f.is_finite() {
            return None;
        }
        let x = match self.dtype {
            RawType::F64 => f,
            RawType::F32 => round_f32(f)?,
            _ => return None,
        };
        match &self.range {
            Some((lo, hi)) if !in_range(Typed::Float(x), lo.as_ref(), hi.as_ref()) => None,
            _ => Some(x),
        }
    }

    /// As [`ValueRule::accept_float`], for an integer of an integer input: `Some(i)` within the
    /// dtype and the range.
    #[inline]
    pub fn accept_int(&self, i: i128) -> Option<i128> {
        let RawType::Int(t) = self.dtype else {
            return None;
        };
        let (lo, hi) = t.bounds();
        if i < lo || i > hi {
            return None;
        }
        match &self.range {
            Some((lo, hi)) if !in_range(Typed::Int(i), lo.as_ref(), hi.as_ref()) => None,
            _ => Some(i),
        }
    }

    /// As [`ValueRule::accept_float`], for text of a `str` input (ASCII where the charset says).
    #[inline]
    pub fn accept_str<'a>(&self, s: &'a str) -> Option<&'a str> {
        (self.dtype == RawType::Str && (!self.ascii || s.is_ascii())).then_some(s)
    }

    /// Takes one raw value in the order of checks: missing (the fill, when `fill` allows it: a
    /// scalar input) → type → non-finite → charset → range. `path` names the value in messages.
    ///
    /// # Errors
    /// The first rule the value breaks.
    #[inline]
    pub fn take<'a>(&'a self, v: Leaf<'a>, fill: bool, path: &str) -> Result<Typed<'a>, Reject> {
        if self.is_missing(v) {
            return match self.filled().filter(|_| fill) {
                Some(t) => Ok(t),
                None => Err(Reject::new(
                    ErrorCode::Missing,
                    format!("`{path}` is missing"),
                )),
            };
        }
        let typed = match (self.dtype, v) {
            (RawType::Bool, Leaf::Bool(b)) => Typed::Bool(b),
            (RawType::Str, Leaf::Str(s)) => Typed::Str(s),
            (RawType::Int(_), Leaf::Int(i)) => Typed::Int(i),
            (RawType::Int(t), Leaf::Float(f)) if f.is_finite() && f.fract() == 0.0 => {
                // An integral float stands for an integer (pandas keeps integer columns with
                // gaps as floats). One beyond i128 is outside every integer dtype.
                if f.abs() >= 1.7e38 {
                    let (lo, hi) = t.bounds();
                    return Err(Reject::new(
                        ErrorCode::OutOfRange,
                        format!("{f:e} is outside `{}` ({lo}..={hi})", t.name()),
                    ));
                }
                Typed::Int(f as i128)
            }
            (d, Leaf::Int(i)) if d.is_float() => Typed::Float(i as f64),
            (d, Leaf::Float(f)) if d.is_float() => Typed::Float(f),
            (d, other) => {
                return Err(Reject::new(
                    ErrorCode::WrongType,
                    format!(
                        "expected {} for `{}`, found {}",
                        d.expected(),
                        d.name(),
                        describe(other)
                    ),
                ))
            }
        };
        let typed = match (typed, self.dtype) {
            (Typed::Int(i), RawType::Int(t)) => {
                let (lo, hi) = t.bounds();
                if i < lo || i > hi {
                    return Err(Reject::new(
                        ErrorCode::OutOfRange,
                        format!("{i} is outside `{}` ({lo}..={hi})", t.name()),
                    ));
                }
                typed
            }
            (Typed::Float(f), _) if f.is_infinite() => {
                return Err(Reject::new(
                    ErrorCode::NonFinite,
                    format!("{} is not finite", describe(v)),
                ))
            }
            (Typed::Float(f), RawType::F32) => match round_f32(f) {
                Some(x) => Typed::Float(x),
                None => {
                    return Err(Reject::new(
                        ErrorCode::NonFinite,
                        format!("{f:?} does not fit `f32`"),
                    ))
                }
            },
            (other, _) => other,
        };
        if let (Typed::Str(s), true) = (typed, self.ascii) {
            if !s.is_ascii() {
                return Err(Reject::new(
                    ErrorCode::NotAscii,
                    format!("{} is not ASCII", describe(Leaf::Str(s))),
                ));
            }
        }
        if let Some((lo, hi)) = &self.range {
            if !in_range(typed, lo.as_ref(), hi.as_ref()) {
                let b = |s: &Option<Literal>| {
                    s.as_ref().map_or("null".to_string(), ToString::to_string)
                };
                return Err(Reject::new(
                    ErrorCode::OutOfRange,
                    format!(
                        "{} is outside the range [{}, {}]",
                        typed.shown(),
                        b(lo),
                        b(hi)
                    ),
                ));
            }
        }
        Ok(typed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(dtype: RawType) -> ValueRule {
        ValueRule {
            dtype,
            fill: None,
            ascii: false,
            range: None,
        }
    }

    fn code(r: &ValueRule, v: Leaf<'_>) -> Option<ErrorCode> {
        r.take(v, true, "x").err().map(|e| e.code)
    }

    #[test]
    fn the_order_of_checks() {
        let i64r = rule(RawType::Int(IntType::I64));
        assert_eq!(code(&i64r, Leaf::Null), Some(ErrorCode::Missing));
        assert_eq!(
            code(&i64r, Leaf::Float(f64::NAN)),
            Some(ErrorCode::WrongType)
        );
        assert_eq!(code(&i64r, Leaf::Float(2.5)), Some(ErrorCode::WrongType));
        assert_eq!(code(&i64r, Leaf::Bool(true)), Some(ErrorCode::WrongType));
        assert_eq!(i64r.take(Leaf::Float(2.0), true, "x"), Ok(Typed::Int(2)));
        assert_eq!(
            code(&i64r, Leaf::Int(-9_223_372_036_854_775_809)),
            Some(ErrorCode::OutOfRange)
        );
        assert_eq!(code(&i64r, Leaf::Float(1e40)), Some(ErrorCode::OutOfRange));
        let f32r = rule(RawType::F32);
        assert_eq!(code(&f32r, Leaf::Float(f64::NAN)), Some(ErrorCode::Missing));
        assert_eq!(
            code(&f32r, Leaf::Float(f64::INFINITY)),
            Some(ErrorCode::NonFinite)
        );
        assert_eq!(code(&f32r, Leaf::Float(1e39)), Some(ErrorCode::NonFinite));
        assert_eq!(
            f32r.take(Leaf::Float(0.1), true, "x"),
            Ok(Typed::Float(f64::from(0.1f32)))
        );
        assert_eq!(code(&f32r, Leaf::Str("1")), Some(ErrorCode::WrongType));
        let ascii = ValueRule {
            ascii: true,
            range: None,
            ..rule(RawType::Str)
        };
        assert_eq!(code(&ascii, Leaf::Str("é")), Some(ErrorCode::NotAscii));
        let ranged = ValueRule {
            range: Some((Some(Literal::Int(0)), Some(Literal::Int(10)))),
            ..rule(RawType::Int(IntType::U8))
        };
        assert_eq!(code(&ranged, Leaf::Int(300)), Some(ErrorCode::OutOfRange));
        assert_eq!(code(&ranged, Leaf::Int(11)), Some(ErrorCode::OutOfRange));
        assert_eq!(ranged.take(Leaf::Int(10), true, "x"), Ok(Typed::Int(10)));
        let filled = ValueRule {
            fill: Some(Literal::Float(0.1)),
            ..rule(RawType::F32)
        };
        assert_eq!(
            filled.take(Leaf::Null, true, "x"),
            Ok(Typed::Float(f64::from(0.1f32)))
        );
        assert_eq!(code(&filled, Leaf::Null), None);
        assert_eq!(
            filled.take(Leaf::Null, false, "x").map_err(|e| e.code),
            Err(ErrorCode::Missing)
        );
    }
}
