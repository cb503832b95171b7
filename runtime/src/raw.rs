//! Raw record values, whatever holds them: a `serde_json::Value` (the dynamic path) or a typed
//! struct field (the derive). The engine sees only [`Kind`], so both paths validate and encode
//! through the same code.

use serde_json::Value;

/// What a raw value is.
#[derive(Clone, Copy)]
pub enum Kind<'a> {
    /// Absent or null (`None`).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A float (NaN and ±inf included).
    Float(f64),
    /// Text.
    Str(&'a str),
    /// A list.
    List(&'a dyn List),
    /// A JSON object where a value belongs.
    Object,
}

/// A value the engine can read.
pub trait Raw {
    /// What it is.
    fn kind(&self) -> Kind<'_>;
}

/// A list of values.
pub trait List {
    /// Its length.
    fn len(&self) -> usize;
    /// Whether it is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Element `i` (`i < len`).
    fn get(&self, i: usize) -> Option<&dyn Raw>;
}

/// One record: its inputs by position (and name).
pub trait Record {
    /// The value of input `index` (named `name`): `Ok(None)` when absent, `Err(())` when the record
    /// itself is not an object.
    #[allow(clippy::result_unit_err)]
    fn field(&self, index: usize, name: &str) -> Result<Option<&dyn Raw>, ()>;
    /// Fields the schema does not know (reported in strict mode).
    fn unknown_fields(&self, _known: &dyn Fn(&str) -> bool) -> Vec<String> {
        Vec::new()
    }
}

macro_rules! raw_int {
    ($($t:ty),*) => {$(
        impl Raw for $t {
            fn kind(&self) -> Kind<'_> { Kind::Int(i128::from(*self)) }
        }
    )*};
}
raw_int!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Raw for f32 {
    fn kind(&self) -> Kind<'_> {
        Kind::Float(f64::from(*self))
    }
}
impl Raw for f64 {
    fn kind(&self) -> Kind<'_> {
        Kind::Float(*self)
    }
}
impl Raw for bool {
    fn kind(&self) -> Kind<'_> {
        Kind::Bool(*self)
    }
}
impl Raw for String {
    fn kind(&self) -> Kind<'_> {
        Kind::Str(self)
    }
}
impl Raw for &str {
    fn kind(&self) -> Kind<'_> {
        Kind::Str(self)
    }
}
impl Raw for Box<str> {
    fn kind(&self) -> Kind<'_> {
        Kind::Str(self)
    }
}
impl<T: Raw> Raw for Option<T> {
    fn kind(&self) -> Kind<'_> {
        self.as_ref().map_or(Kind::Null, Raw::kind)
    }
}
impl<T: Raw> Raw for Vec<T> {
    fn kind(&self) -> Kind<'_> {
        Kind::List(self)
    }
}
impl<T: Raw, const N: usize> Raw for [T; N] {
    fn kind(&self) -> Kind<'_> {
        Kind::List(self)
    }
}
impl<T: Raw> List for Vec<T> {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn get(&self, i: usize) -> Option<&dyn Raw> {
        <[T]>::get(self, i).map(|x| x as &dyn Raw)
    }
}
impl<T: Raw, const N: usize> List for [T; N] {
    fn len(&self) -> usize {
        N
    }
    fn get(&self, i: usize) -> Option<&dyn Raw> {
        <[T]>::get(self, i).map(|x| x as &dyn Raw)
    }
}

// JSON. Bare `NaN`/`Infinity` tokens, integers beyond 64 bits and floats beyond f64 arrive as
// these sentinel strings (see `dynamic::reader`).
pub(crate) const NAN: &str = "\u{0}NaN";
pub(crate) const INF: &str = "\u{0}Infinity";
pub(crate) const NEG_INF: &str = "\u{0}-Infinity";
/// Followed by the integer's decimal digits.
pub(crate) const BIG_INT: &str = "\u{0}int:";

/// An integer too large for 64 bits, exactly while it fits i128 (every integer dtype's bounds are
/// inside), else as the float nearest (still integral, so still out of every integer's range).
fn big_int(digits: &str) -> Kind<'static> {
    digits.parse::<i128>().map_or_else(
        |_| Kind::Float(digits.parse::<f64>().unwrap_or(f64::NAN)),
        Kind::Int,
    )
}

impl Raw for Value {
    fn kind(&self) -> Kind<'_> {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(b) => Kind::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Kind::Int(i.into())
                } else if let Some(u) = n.as_u64() {
                    Kind::Int(u.into())
                } else {
                    Kind::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => match s.as_str() {
                NAN => Kind::Float(f64::NAN),
                INF => Kind::Float(f64::INFINITY),
                NEG_INF => Kind::Float(f64::NEG_INFINITY),
                s => match s.strip_prefix(BIG_INT) {
                    Some(digits) => big_int(digits),
                    None => Kind::Str(s),
                },
            },
            Value::Array(items) => Kind::List(items),
            Value::Object(_) => Kind::Object,
        }
    }
}

impl Record for Value {
    fn field(&self, _index: usize, name: &str) -> Result<Option<&dyn Raw>, ()> {
        match self {
            Value::Object(m) => Ok(m.get(name).map(|v| v as &dyn Raw)),
            _ => Err(()),
        }
    }

    fn unknown_fields(&self, known: &dyn Fn(&str) -> bool) -> Vec<String> {
        match self {
            Value::Object(m) => m.keys().filter(|k| !known(k)).cloned().collect(),
            _ => Vec::new(),
        }
    }
}

impl<'a> Kind<'a> {
    /// The value as the value rule sees it (a list or an object only by what it is).
    pub fn leaf(self) -> tensorseam_core::value::Leaf<'a> {
        use tensorseam_core::value::Leaf;
        match self {
            Kind::Null => Leaf::Null,
            Kind::Bool(b) => Leaf::Bool(b),
            Kind::Int(i) => Leaf::Int(i),
            Kind::Float(f) => Leaf::Float(f),
            Kind::Str(s) => Leaf::Str(s),
            Kind::List(items) => Leaf::List(items.len()),
            Kind::Object => Leaf::Object,
        }
    }
}
