//! Reading records from text: CSV cells as the raw values they hold (the one CSV cell rule, for
//! `encode` and `fit`), and — re-exported from [`crate::json`] — JSON Lines as Python writes them.

pub use crate::json::{is_json_number, normalize, parse_json, read_line, MAX_RECORD_BYTES};
use crate::raw::{BIG_INT, INF, NAN, NEG_INF};
use serde_json::Value;
use tensorseam_core::value::{Leaf, RawType};

/// A number token (JSON's grammar) as the value it is: an integer exactly (within i128, else the
/// float nearest), a float correctly rounded (±infinity beyond f64, as Python reads `1e400`).
fn number_leaf(token: &str) -> Leaf<'static> {
    let integral = !token.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if integral {
        if let Ok(i) = token.parse::<i128>() {
            return Leaf::Int(i);
        }
    }
    Leaf::Float(token.parse::<f64>().unwrap_or(f64::NAN))
}

/// A scalar CSV cell as the raw value it holds, for an input of raw dtype `dtype`: empty is
/// missing; `nan`, `inf`, `-inf` (any case, signs allowed) are floats; `true`/`false` (any case)
/// booleans; a number as JSON writes one is that number; anything else is text (for a `str`
/// input, every cell is text). The one CSV cell rule, for `encode` and `fit` alike.
pub fn csv_leaf(cell: &str, dtype: RawType) -> Leaf<'_> {
    if cell.is_empty() {
        return Leaf::Null;
    }
    if dtype == RawType::Str {
        return Leaf::Str(cell);
    }
    let trimmed = cell.trim();
    if is_json_number(trimmed.as_bytes()) {
        return number_leaf(trimmed);
    }
    let is = |w: &str| trimmed.eq_ignore_ascii_case(w);
    if is("nan") || is("+nan") || is("-nan") {
        return Leaf::Float(f64::NAN);
    }
    if is("inf") || is("+inf") || is("infinity") || is("+infinity") {
        return Leaf::Float(f64::INFINITY);
    }
    if is("-inf") || is("-infinity") {
        return Leaf::Float(f64::NEG_INFINITY);
    }
    if is("true") || is("false") {
        return Leaf::Bool(is("true"));
    }
    Leaf::Str(cell)
}

/// A raw value as the JSON the row engine reads (sentinels for what JSON cannot hold).
fn leaf_json(v: Leaf<'_>) -> Value {
    match v {
        Leaf::Null => Value::Null,
        Leaf::Bool(b) => Value::Bool(b),
        Leaf::Int(i) => i64::try_from(i)
            .map(Value::from)
            .or_else(|_| u64::try_from(i).map(Value::from))
            .unwrap_or_else(|_| Value::String(format!("{BIG_INT}{i}"))),
        Leaf::Float(f) if f.is_nan() => Value::String(NAN.to_string()),
        Leaf::Float(f) if f.is_infinite() => {
            Value::String(if f > 0.0 { INF } else { NEG_INF }.to_string())
        }
        Leaf::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Leaf::Str(s) => Value::String(s.to_string()),
        Leaf::List(_) | Leaf::Object => Value::Null,
    }
}

/// A CSV cell as a raw value for an input of raw dtype `dtype` and shape rank `rank`: a scalar
/// by [`csv_leaf`]; a shaped input's cell holds its JSON text.
pub fn csv_cell(cell: &str, dtype: RawType, rank: usize) -> Value {
    if rank > 0 && !cell.is_empty() {
        // Unparseable JSON stays a string, which validation reports as the wrong type.
        return parse_json(cell).unwrap_or_else(|_| Value::String(cell.to_string()));
    }
    leaf_json(csv_leaf(cell, dtype))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::{Kind, Raw};

    fn kind(v: Option<&Value>) -> Kind<'_> {
        v.map_or(Kind::Null, Raw::kind)
    }

    fn is(k: Kind<'_>, expected: Kind<'_>) -> bool {
        match (k, expected) {
            (Kind::Float(a), Kind::Float(b)) => a.to_bits() == b.to_bits(),
            (Kind::Int(a), Kind::Int(b)) => a == b,
            (Kind::Str(a), Kind::Str(b)) => a == b,
            (Kind::Null, Kind::Null) => true,
            _ => false,
        }
    }

    #[test]
    fn csv_cells() {
        use tensorseam_core::value::{IntType, RawType as DType};
        assert_eq!(csv_cell("", DType::F32, 0), Value::Null);
        assert!(
            matches!(kind(Some(&csv_cell("NAN", DType::F64, 0))), Kind::Float(f) if f.is_nan())
        );
        assert!(is(
            kind(Some(&csv_cell("-Inf", DType::F64, 0))),
            Kind::Float(f64::NEG_INFINITY)
        ));
        assert!(is(
            kind(Some(&csv_cell("1e400", DType::F64, 0))),
            Kind::Float(f64::INFINITY)
        ));
        assert!(is(
            kind(Some(&csv_cell(
                "-9223372036854775809",
                DType::Int(IntType::I64),
                0
            ))),
            Kind::Int(-9223372036854775809)
        ));
        assert_eq!(csv_cell("12", DType::Str, 0), Value::String("12".into()));
        assert_eq!(
            csv_cell("12", DType::Int(IntType::I64), 0),
            serde_json::json!(12)
        );
        assert_eq!(csv_cell("True", DType::Bool, 0), Value::Bool(true));
        assert_eq!(csv_cell("abc", DType::F32, 0), Value::String("abc".into()));
        assert_eq!(csv_cell("[1, 2]", DType::F32, 1), serde_json::json!([1, 2]));
    }
}
