//! Typed structs deriving `ModelInput` for the schemas the parity checks cover, each readable from
//! a JSON record (`from_json`, `None` when the struct cannot hold the record). Shared by the
//! Rust parity test and the cross-language probe (`tests/probe`).

#![allow(dead_code)]

use serde_json::Value;
use tensorseam::ModelInput;

/// A JSON value as a typed field; `None` when the type cannot hold it.
pub trait FromJson: Sized {
    fn from_json(v: &Value) -> Option<Self>;
}

fn float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s == "\u{0}NaN" => Some(f64::NAN),
        Value::String(s) if s == "\u{0}Infinity" => Some(f64::INFINITY),
        Value::String(s) if s == "\u{0}-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

impl FromJson for f64 {
    fn from_json(v: &Value) -> Option<Self> {
        float(v)
    }
}
impl FromJson for f32 {
    fn from_json(v: &Value) -> Option<Self> {
        // Only values an f32 holds exactly as the JSON said (a typed producer has an f32).
        float(v)
            .map(|x| x as f32)
            .filter(|x| f64::from(*x).to_bits() == float(v).unwrap_or(0.0).to_bits() || x.is_nan())
    }
}
macro_rules! ints {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(v: &Value) -> Option<Self> {
                v.as_i64().and_then(|i| <$t>::try_from(i).ok()).or_else(|| v.as_u64().and_then(|u| <$t>::try_from(u).ok()))
            }
        }
    )*};
}
ints!(i8, i16, i32, i64, u8, u16, u32, u64);
impl FromJson for bool {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_bool()
    }
}
impl FromJson for String {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_str()
            .filter(|s| !s.starts_with('\u{0}'))
            .map(str::to_string)
    }
}
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: &Value) -> Option<Self> {
        match v {
            Value::Null => Some(None),
            // NaN is "missing" for a float input: the same as None.
            v if float(v).is_some_and(f64::is_nan) => Some(None),
            v => T::from_json(v).map(Some),
        }
    }
}
impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_array()?.iter().map(T::from_json).collect()
    }
}
impl<T: FromJson, const N: usize> FromJson for [T; N] {
    fn from_json(v: &Value) -> Option<Self> {
        Vec::<T>::from_json(v)?.try_into().ok()
    }
}

macro_rules! record {
    ($(#[$m:meta])* struct $name:ident { $($field:ident $(= $key:literal)?: $ty:ty),* $(,)? }) => {
        $(#[$m])*
        pub struct $name { $($field: $ty),* }
        impl $name {
            pub fn from_json(v: &::serde_json::Value) -> Option<Self> {
                Some($name { $($field: <$ty as FromJson>::from_json(v.get(record_key!($field $($key)?)).unwrap_or(&::serde_json::Value::Null))?),* })
            }
        }
    };
}

/// A field's key in the record: its column (`field = "Column": T`), else its name.
macro_rules! record_key {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident $key:literal) => {
        $key
    };
}
#[allow(unused_imports)]
// used by the probe's generated structs, not by the parity test
pub(crate) use record;
#[allow(unused_imports)]
pub(crate) use record_key;

record! {
    #[derive(ModelInput)]
    #[tensorseam(schema = "../schemas/penguins.yaml")]
    struct Penguin {
        bill_length_mm: Option<f32>, bill_depth_mm: Option<f32>, flipper_length_mm: Option<f32>, body_mass_g: Option<f64>,
        island: String, sex: Option<String>, year: i64, species: String,
    }
}

record! {
    #[derive(ModelInput)]
    #[tensorseam(schema = "../schemas/digits.seam")]
    struct Digit {
        pixels: [[u8; 28]; 28], brightness: Option<f32>, has_border: Option<bool>, tilt_deg: Option<i8>, stroke_count: u16, digit: i64,
    }
}

record! {
    #[derive(ModelInput)]
    #[tensorseam(schema = "tests/ui/schemas/everything.seam")]
    struct Everything {
        a: Option<f32>, b: f64, c: i32, d: [u8; 4], e: String, f: String, g: i64, h: bool, tags: Vec<[String; 2]>,
        seqf: Vec<[f32; 2]>, seqi: Vec<i64>, toks: Vec<String>, slot_ids: Vec<u16>, title: String, body: String,
        flag: Option<bool>, n16: i16, y: String, w: Option<f32>,
    }
}

record! {
    #[derive(ModelInput)]
    #[tensorseam(schema = "tests/ui/schemas/scalars.seam")]
    struct Scalars {
        a: Option<f32>, b: f64, c: i32, d: u8, e: String, f: Option<String>, g: i64, h: bool, i: String,
        j: Option<i16>, k: Option<bool>, l: u64, m: Option<f64>, n: i8, big: String, short: String, wide: String, bigint: i64, v: Vec<f32>, codes: [Vec<String>; 2], y: String, w: Option<f32>,
    }
}

record! {
    #[derive(ModelInput)]
    #[tensorseam(schema = "tests/ui/schemas/sequences.seam")]
    struct Sequences {
        x: Vec<[f32; 2]>, kind: Vec<String>, ids: Vec<i64>, grid: [Vec<u8>; 2], tag: String, title: String, body: String, code: String, tags: Vec<[String; 3]>, picks: Vec<i64>, y: Vec<i32>,
    }
}
