//! JSON records as Python writes them, read as Python reads them. JSON has no NaN or infinities,
//! but Python's `json` module writes the tokens `NaN`, `Infinity` and `-Infinity`; and Python reads
//! every integer exactly and `1e400` as infinity. So before serde_json sees a line, [`normalize`]
//! turns those tokens, integers beyond 64 bits and floats beyond f64 into sentinel strings (a NUL
//! byte, then what they stand for) that [`crate::raw::Raw`] reads back as the numbers they are: the
//! same value for the same text as Python, so the same error for the same record.
//!
//! [`from_str`] reads a line into any `serde::Deserialize` type — a struct deriving `ModelInput`
//! and `Deserialize`, say — with those numbers as floats:
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Row { x: f64, n: Option<f32> }
//! let row: Row = tensorseam::json::from_str(r#"{"x": NaN, "n": -Infinity}"#)?;
//! assert!(row.x.is_nan() && row.n == Some(f32::NEG_INFINITY));
//! # Ok::<(), serde_json::Error>(())
//! ```

use crate::raw::{BIG_INT, INF, NAN, NEG_INF};
use serde::de::{self, IntoDeserializer as _, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::io::BufRead;

/// The longest record (one JSON line) read: far above any real record (a 65,536-long list of
/// lists is a few megabytes), well below what would exhaust memory on a line with no end.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

/// A JSON number token's value as the engine must see it: `None` when serde_json reads it exactly
/// (an integer within 64 bits, a finite float); otherwise the sentinel standing for it (an integer
/// beyond 64 bits, exactly; a float beyond f64, as ±infinity).
fn number_sentinel(token: &str) -> Option<String> {
    let integral = !token.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if integral {
        if token.parse::<i64>().is_ok() || token.parse::<u64>().is_ok() {
            return None;
        }
        return Some(format!("{BIG_INT}{token}"));
    }
    match token.parse::<f64>() {
        Ok(x) if x.is_infinite() => Some(if x > 0.0 { INF } else { NEG_INF }.to_string()),
        _ => None,
    }
}

/// Whether `s` is a number as JSON writes one: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
pub fn is_json_number(s: &[u8]) -> bool {
    let mut i = usize::from(s.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if s.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(&mut i) {
        return false;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == s.len()
}

/// A JSON text with Python's tokens and out-of-range numbers replaced by sentinel strings
/// (outside string literals only); borrowed when there is nothing to replace.
pub fn normalize(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    let mut in_string = false;
    let replace =
        |out: &mut Option<String>, copied: &mut usize, from: usize, to: usize, with: &str| {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
            o.push_str(&text[*copied..from]);
            o.push_str(&serde_json::Value::String(with.to_string()).to_string());
            *copied = to;
        };
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        let token = [("-Infinity", NEG_INF), ("Infinity", INF), ("NaN", NAN)]
            .into_iter()
            .find(|(t, _)| bytes[i..].starts_with(t.as_bytes()));
        if let Some((t, sentinel)) = token {
            replace(&mut out, &mut copied, i, i + t.len(), sentinel);
            i += t.len();
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let end = bytes[i..]
                .iter()
                .position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                .map_or(bytes.len(), |n| i + n);
            let token = &text[i..end];
            if is_json_number(token.as_bytes()) {
                if let Some(sentinel) = number_sentinel(token) {
                    replace(&mut out, &mut copied, i, end, &sentinel);
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

/// Parses one JSON text (a JSONL line, or a CSV cell of a shaped input) into a value the engine
/// reads.
///
/// # Errors
/// serde_json's message, with line/column within the text.
pub fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(&normalize(text))
}

/// Reads the next line into `buf` (without its line end); `Ok(false)` at the end. A line longer
/// than `max` bytes is an error, found before more of it is held in memory.
///
/// # Errors
/// I/O errors, and a line over `max` bytes.
pub fn read_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<bool> {
    buf.clear();
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(!buf.is_empty());
        }
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(n) => (n + 1, true),
            None => (chunk.len(), false),
        };
        if buf.len() + take > max.saturating_add(1) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a record longer than {max} bytes (no line end within it)"),
            ));
        }
        buf.extend_from_slice(&chunk[..take]);
        reader.consume(take);
        if done {
            if buf.ends_with(b"\n") {
                buf.pop();
            }
            if buf.ends_with(b"\r") {
                buf.pop();
            }
            return Ok(true);
        }
    }
}

/// Reads one JSON text (a JSON Lines line) into `T`, accepting what Python's `json` writes:
/// `NaN`, `Infinity` and `-Infinity` become floats, and so does a number beyond f64.
///
/// # Errors
/// serde_json's error: the text is not JSON, or does not fit `T`.
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let value = parse_json(text)?;
    T::deserialize(Json(&value))
}

/// JSON text as Python's `json` writes it: the sentinels a parsed value holds for what JSON cannot
/// (NaN, ±infinity, integers beyond 64 bits) written back as the bare tokens and digits they
/// stand for. `text` is serde_json's output of such a value.
pub fn python_tokens(text: &str) -> String {
    if !text.contains("\\u0000") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\"\\u0000") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 7..];
        let end = tail.find('"').unwrap_or(tail.len());
        let body = &tail[..end];
        let token = match body {
            "NaN" => Some("NaN".to_string()),
            "Infinity" => Some("Infinity".to_string()),
            "-Infinity" => Some("-Infinity".to_string()),
            b => b.strip_prefix("int:").map(str::to_string),
        };
        match token {
            Some(t) => {
                out.push_str(&t);
                rest = &tail[(end + 1).min(tail.len())..];
            }
            None => {
                out.push_str(&rest[at..at + 7]);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A JSON Lines line that could not be read into its type.
#[derive(Debug)]
pub struct LineError {
    /// The line, from 1.
    pub line: usize,
    /// Why: an I/O error, a line over [`MAX_RECORD_BYTES`], text that is not JSON or UTF-8, or a
    /// record that does not fit the type (serde's message, naming the field).
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for LineError {}

/// Reads JSON Lines into `T` one record at a time (blank lines skipped), with Python's tokens
/// accepted as [`from_str`] accepts them, and each line bounded by [`MAX_RECORD_BYTES`]: a
/// serving process reads a request body of records into its `#[derive(ModelInput, Deserialize)]`
/// struct with this.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Row { x: Option<f32>, name: String }
///
/// let body = b"{\"x\": NaN, \"name\": \"a\"}\n\n{\"x\": 2.5, \"name\": \"b\"}\n";
/// let rows: Vec<Row> = tensorseam::json::lines(&body[..]).collect::<Result<_, _>>().unwrap();
/// assert!(rows[0].x.unwrap().is_nan() && rows[1].x == Some(2.5));
/// let bad = tensorseam::json::lines::<Row>(&b"{\"x\": 1}\n"[..]).next().unwrap().unwrap_err();
/// assert_eq!(bad.line, 1);
/// assert!(bad.message.contains("missing field `name`"), "{bad}");
/// ```
pub fn lines<T: de::DeserializeOwned>(
    reader: impl BufRead,
) -> impl Iterator<Item = Result<T, LineError>> {
    let mut reader = reader;
    let mut buf = Vec::new();
    let mut line = 0usize;
    let mut failed = false;
    std::iter::from_fn(move || loop {
        if failed {
            return None;
        }
        line += 1;
        let fail = |message: String| LineError { line, message };
        match read_line(&mut reader, &mut buf, MAX_RECORD_BYTES) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                // A reader that failed (or a line with no end) is not read on.
                failed = true;
                return Some(Err(fail(e.to_string())));
            }
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t,
            Err(e) => return Some(Err(fail(format!("not UTF-8: {e}")))),
        };
        if text.trim().is_empty() {
            continue;
        }
        return Some(from_str(text).map_err(|e| fail(e.to_string())));
    })
}

/// A parsed value handed to serde with its sentinels read back as the numbers they stand for.
struct Json<'a>(&'a Value);

impl<'de> de::IntoDeserializer<'de, serde_json::Error> for Json<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for Json<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => match s.as_str() {
                NAN => visitor.visit_f64(f64::NAN),
                INF => visitor.visit_f64(f64::INFINITY),
                NEG_INF => visitor.visit_f64(f64::NEG_INFINITY),
                s => match s.strip_prefix(BIG_INT) {
                    Some(digits) => match digits.parse::<i128>() {
                        Ok(i) => visitor.visit_i128(i),
                        Err(_) => visitor.visit_f64(digits.parse().unwrap_or(f64::NAN)),
                    },
                    None => visitor.visit_borrowed_str(s),
                },
            },
            Value::Array(items) => {
                visitor.visit_seq(de::value::SeqDeserializer::new(items.iter().map(Json)))
            }
            Value::Object(map) => visitor.visit_map(de::value::MapDeserializer::new(
                map.iter().map(|(k, v)| (k.as_str(), Json(v))),
            )),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => serde_json::Value::deserialize_enum(self.0.clone(), name, variants, visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod python_token_tests {
    #[test]
    fn sentinels_become_tokens() {
        let v = super::parse_json(
            r#"{"a": NaN, "b": [Infinity, -Infinity], "c": 123456789012345678901234, "d": "x"}"#,
        )
        .unwrap();
        assert_eq!(
            super::python_tokens(&v.to_string()),
            r#"{"a":NaN,"b":[Infinity,-Infinity],"c":123456789012345678901234,"d":"x"}"#
        );
    }
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
    fn numbers_are_read_as_python_reads_them() {
        let v = parse_json(
            r#"[18446744073709551615, -9223372036854775808, 9007199254740993, 0.1, 2.0, 1e400, -1e400, -9223372036854775809, 18446744073709551617, 1e-400, "1e400", {"k": 99999999999999999999}]"#,
        )
        .expect("json");
        let k: Vec<Kind<'_>> = (0..11).map(|i| kind(v.get(i))).collect();
        assert!(is(k[0], Kind::Int(u64::MAX.into())));
        assert!(is(k[1], Kind::Int(i64::MIN.into())));
        assert!(is(k[2], Kind::Int(9007199254740993)));
        assert!(is(k[3], Kind::Float(0.1)));
        assert!(is(k[4], Kind::Float(2.0)));
        // Beyond f64: infinite, as Python's json reads it (then `non_finite`, not a syntax error).
        assert!(is(k[5], Kind::Float(f64::INFINITY)));
        assert!(is(k[6], Kind::Float(f64::NEG_INFINITY)));
        // Beyond 64 bits: exact, never rounded to a neighbour that fits.
        assert!(is(k[7], Kind::Int(-9223372036854775809)));
        assert!(is(k[8], Kind::Int(18446744073709551617)));
        assert!(is(k[9], Kind::Float(0.0)));
        assert!(is(k[10], Kind::Str("1e400")));
        assert!(is(
            kind(v.get(11).and_then(|o| o.get("k"))),
            Kind::Int(99999999999999999999)
        ));
        let huge = format!("[{}]", "9".repeat(400));
        let v = parse_json(&huge).expect("json");
        assert!(is(kind(v.get(0)), Kind::Float(f64::INFINITY)));
    }

    #[test]
    fn lines_are_bounded() {
        let mut r = std::io::BufReader::with_capacity(4, &b"ab\r\ncdef\n\nxyz"[..]);
        let mut buf = Vec::new();
        let mut lines = Vec::new();
        while read_line(&mut r, &mut buf, 8).expect("read") {
            lines.push(String::from_utf8(buf.clone()).expect("utf8"));
        }
        assert_eq!(lines, ["ab", "cdef", "", "xyz"]);
        let mut endless = std::io::BufReader::new(std::io::repeat(b'x'));
        assert!(read_line(&mut endless, &mut buf, 1 << 20).is_err());
        assert!(buf.len() <= (1 << 20) + 1);
    }

    #[test]
    fn typed_records_read_python_tokens() {
        #[derive(serde::Deserialize, Debug)]
        struct Row {
            a: f32,
            b: Option<f64>,
            c: Vec<[f64; 2]>,
            big: i64,
            s: String,
        }
        let row: Row = from_str(
            r#"{"a": NaN, "b": null, "c": [[Infinity, 1e400], [-Infinity, 2]], "big": 9223372036854775807, "s": "NaN"}"#,
        )
        .expect("row");
        assert!(row.a.is_nan() && row.b.is_none());
        assert_eq!(row.c[0], [f64::INFINITY, f64::INFINITY]);
        assert_eq!(row.c[1], [f64::NEG_INFINITY, 2.0]);
        assert_eq!((row.big, row.s.as_str()), (i64::MAX, "NaN"));
        let too_big: Result<Row, _> =
            from_str(r#"{"a": 1, "b": 1, "c": [], "big": 9223372036854775808, "s": ""}"#);
        assert!(too_big.is_err());
    }
}
