//! Parity: `sample` records — valid and `--invalid` — encoded by the derive and by the dynamic path
//! give bit-identical tensors and identical error codes, rows and paths. Records a typed struct
//! cannot hold (a string in an `f32` field) are the derive's compile-time guarantee, not a run-time
//! case, and are skipped.

use serde_json::Value;
use tensorseam::dynamic::Schema;
use tensorseam::{Batch, ModelInput, ValidationErrors};
use tensorseam_compiler::sample;

/// A JSON value as a typed field; `None` when the type cannot hold it.
trait FromJson: Sized {
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
    ($(#[$m:meta])* struct $name:ident { $($field:ident: $ty:ty),* $(,)? }) => {
        $(#[$m])*
        struct $name { $($field: $ty),* }
        impl $name {
            fn from_json(v: &Value) -> Option<Self> {
                Some($name { $($field: <$ty>::from_json(v.get(stringify!($field)).unwrap_or(&Value::Null))?),* })
            }
        }
    };
}

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

fn outcome(
    r: Result<Batch, ValidationErrors>,
) -> Result<Batch, Vec<(usize, String, &'static str)>> {
    r.map_err(|e| {
        e.errors()
            .iter()
            .map(|e| (e.row, e.path.clone(), e.code.as_str()))
            .collect()
    })
}

/// Compares the two paths on sampled records; returns how many records were compared.
fn check<T: ModelInput>(
    schema_path: &str,
    fast: bool,
    from_json: impl Fn(&Value) -> Option<T>,
) -> (usize, usize) {
    let dynamic = Schema::load(schema_path).expect("schema");
    let valid = sample::records(dynamic.checked(), 200, 11);
    let text: String = valid.iter().map(|r| sample::jsonl_line(r) + "\n").collect();
    let values = Schema::read_jsonl(text.as_bytes()).expect("jsonl");
    let typed: Vec<T> = values.iter().filter_map(&from_json).collect();
    let kept: Vec<Value> = values
        .iter()
        .filter(|v| from_json(v).is_some())
        .cloned()
        .collect();
    assert!(
        typed.len() * 2 >= values.len(),
        "{schema_path}: most sampled records fit the struct ({} of {})",
        typed.len(),
        values.len()
    );
    for training in [false, true] {
        let (d, t) = if training {
            (
                dynamic.encode_training_json(&kept),
                T::encode_training_batch(&typed),
            )
        } else {
            (dynamic.encode_json(&kept), T::encode_batch(&typed))
        };
        let (d, t) = (outcome(d), outcome(t));
        assert!(
            d.is_ok(),
            "{schema_path}: sampled records are valid: {:?}",
            d.err()
        );
        // The derive's fast path covers scalar schemas: it must be the path that ran.
        assert_eq!(
            T::fast(&typed, training, None).is_ok(),
            fast,
            "{schema_path}: fast path taken"
        );
        assert_eq!(
            d, t,
            "{schema_path}: derive and dynamic path differ (training: {training})"
        );
    }
    // A batch reused for other rows of the same size gives what a fresh batch gives: nothing of
    // the earlier rows survives (the fast path skips zeroing tensors it writes whole).
    let h = typed.len() / 2;
    let mut reused = T::encode_batch(&typed[..h]).expect("valid");
    T::encode_into(&typed[h..2 * h], &mut reused).expect("valid");
    let fresh = T::encode_batch(&typed[h..2 * h]).expect("valid");
    assert_eq!(
        reused.tensors(),
        fresh.tensors(),
        "{schema_path}: encode_into a reused batch"
    );
    // Invalid records, one at a time, where the struct can hold them.
    let mut compared = 0;
    for case in sample::invalid(dynamic.checked(), 300, 5) {
        let line = sample::jsonl_line(&case.to_value());
        let parsed = Schema::read_jsonl(line.as_bytes()).expect("jsonl");
        let record = &parsed[0]["record"];
        let Some(row) = from_json(record) else {
            continue;
        };
        let d = outcome(dynamic.encode_training_json(std::slice::from_ref(record)));
        let t = outcome(T::encode_training_batch(&[row]));
        assert!(d.is_err(), "{schema_path}: {line}");
        assert_eq!(d, t, "{schema_path}: {line}");
        compared += 1;
    }
    (typed.len(), compared)
}

#[test]
fn derive_and_dynamic_path_agree() {
    let root = env!("CARGO_MANIFEST_DIR");
    let (valid, invalid) = check(
        &format!("{root}/../schemas/penguins.yaml"),
        true,
        Penguin::from_json,
    );
    assert!(
        valid >= 150 && invalid >= 10,
        "penguins: {valid} valid, {invalid} invalid compared"
    );
    let (valid, invalid) = check(
        &format!("{root}/../schemas/digits.seam"),
        true,
        Digit::from_json,
    );
    assert!(
        valid >= 150 && invalid >= 5,
        "digits: {valid} valid, {invalid} invalid compared"
    );
    let (valid, invalid) = check(
        &format!("{root}/tests/ui/schemas/everything.seam"),
        true,
        Everything::from_json,
    );
    assert!(
        valid >= 100 && invalid >= 50,
        "everything: {valid} valid, {invalid} invalid compared"
    );
    let (valid, invalid) = check(
        &format!("{root}/tests/ui/schemas/scalars.seam"),
        true,
        Scalars::from_json,
    );
    assert!(
        valid >= 150 && invalid >= 50,
        "scalars: {valid} valid, {invalid} invalid compared"
    );
    let (valid, invalid) = check(
        &format!("{root}/tests/ui/schemas/sequences.seam"),
        true,
        Sequences::from_json,
    );
    assert!(
        valid >= 150 && invalid >= 20,
        "sequences: {valid} valid, {invalid} invalid compared"
    );
}
