//! Raw record values. Records arrive as `serde_json::Value`s; JSON has no NaN or infinities, but
//! Python's `json` module writes the tokens `NaN`, `Infinity` and `-Infinity`, so the JSONL and CSV
//! readers turn those into sentinel strings (a NUL byte, then the token) that [`kind`] reads back
//! as floats. A record string equal to a sentinel is read as the float it names.

#[cfg(test)]
use crate::raw::{Kind, Raw};
use serde_json::Value;

use crate::raw::{INF, NAN, NEG_INF};

/// Replaces the bare tokens `NaN`, `Infinity`, `-Infinity` outside strings with sentinel strings,
/// so serde_json can parse what Python's `json.dumps` writes.
pub fn with_sentinels(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains("NaN") && !line.contains("Infinity") {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else {
            let token = [("-Infinity", NEG_INF), ("Infinity", INF), ("NaN", NAN)]
                .into_iter()
                .find(|(t, _)| rest.starts_with(t));
            if let Some((t, sentinel)) = token {
                out.push_str(&serde_json::to_string(sentinel).unwrap_or_default());
                rest = &rest[t.len()..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

/// Parses one JSON text (a JSONL line, or a CSV cell of a shaped input).
///
/// # Errors
/// serde_json's message, with line/column within the text.
pub fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(&with_sentinels(text))
}

/// A CSV cell as a raw value for an input of raw dtype `dtype` (`str`, `bool`, integer, float) and
/// shape rank `rank`. Empty is missing; `nan`, `inf`, `-inf` in any case are the floats; a shaped
/// input's cell holds its JSON text.
pub fn csv_cell(cell: &str, dtype: &str, rank: usize) -> Value {
    if cell.is_empty() {
        return Value::Null;
    }
    if rank > 0 {
        // Unparseable JSON stays a string, which validation reports as the wrong type.
        return parse_json(cell).unwrap_or_else(|_| Value::String(cell.to_string()));
    }
    match dtype {
        "str" => Value::String(cell.to_string()),
        _ => {
            let lower = cell.trim().to_ascii_lowercase();
            let special = match lower.as_str() {
                "nan" | "+nan" | "-nan" => Some(NAN),
                "inf" | "+inf" | "infinity" | "+infinity" => Some(INF),
                "-inf" | "-infinity" => Some(NEG_INF),
                _ => None,
            };
            if let Some(s) = special {
                return Value::String(s.to_string());
            }
            if dtype == "bool" && (lower == "true" || lower == "false") {
                return Value::Bool(lower == "true");
            }
            serde_json::from_str::<Value>(cell.trim())
                .ok()
                .filter(|v| v.is_number() || v.is_boolean())
                .unwrap_or_else(|| Value::String(cell.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn python_tokens_become_floats() {
        let v =
            parse_json(r#"{"a": NaN, "b": -Infinity, "c": "NaN in a string", "d": [Infinity, 1]}"#)
                .expect("json");
        assert!(matches!(kind(v.get("a")), Kind::Float(f) if f.is_nan()));
        assert!(is(kind(v.get("b")), Kind::Float(f64::NEG_INFINITY)));
        assert!(is(kind(v.get("c")), Kind::Str("NaN in a string")));
        assert!(is(
            kind(v.get("d").and_then(|d| d.get(0))),
            Kind::Float(f64::INFINITY)
        ));
        assert!(is(kind(v.get("zz")), Kind::Null));
        assert!(parse_json("{\"a\": NaNa}").is_err());
    }

    #[test]
    fn numbers_keep_64_bit_integers_and_round_floats_correctly() {
        let v = parse_json(
            r#"[18446744073709551615, -9223372036854775808, 9007199254740993, 0.1, 2.0, 1e400]"#,
        );
        // 1e400 is out of range for serde_json: rejected, not silently infinite.
        assert!(v.is_err());
        let v = parse_json(
            r#"[18446744073709551615, -9223372036854775808, 9007199254740993, 0.1, 2.0]"#,
        )
        .expect("json");
        let k: Vec<Kind<'_>> = (0..5).map(|i| kind(v.get(i))).collect();
        assert!(is(k[0], Kind::Int(u64::MAX.into())));
        assert!(is(k[1], Kind::Int(i64::MIN.into())));
        assert!(is(k[2], Kind::Int(9007199254740993)));
        assert!(is(k[3], Kind::Float(0.1)));
        assert!(is(k[4], Kind::Float(2.0)));
    }

    #[test]
    fn csv_cells() {
        assert_eq!(csv_cell("", "f32", 0), Value::Null);
        assert!(matches!(kind(Some(&csv_cell("NAN", "f64", 0))), Kind::Float(f) if f.is_nan()));
        assert!(is(
            kind(Some(&csv_cell("-Inf", "f64", 0))),
            Kind::Float(f64::NEG_INFINITY)
        ));
        assert_eq!(csv_cell("12", "str", 0), Value::String("12".into()));
        assert_eq!(csv_cell("12", "i64", 0), serde_json::json!(12));
        assert_eq!(csv_cell("True", "bool", 0), Value::Bool(true));
        assert_eq!(csv_cell("abc", "f32", 0), Value::String("abc".into()));
        assert_eq!(csv_cell("[1, 2]", "f32", 1), serde_json::json!([1, 2]));
    }
}
