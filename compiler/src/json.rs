//! JSON output with RFC 8785 (JCS) canonical form: keys sorted by UTF-16 code units, no whitespace,
//! numbers in ECMAScript form (`1.0` is `1`, `1e-7` is `1e-7`). The pretty form uses the same
//! numbers and key order, indented, for people.
//!
//! Integers are written exactly. JCS treats every number as an IEEE double; for |n| ≤ 2^53 the two
//! agree, and beyond that (64-bit category values) exact digits are kept rather than rounded —
//! rounding would make two different schemas hash alike.

use serde_json::Value;

/// A float in ECMAScript `Number.prototype.toString` form.
pub fn number(x: f64) -> String {
    ryu_js::Buffer::new().format(x).to_string()
}

/// Escapes exactly what JCS escapes: `"`, `\`, and control characters (`\b \t \n \f \r`, else
/// `\u00xx` in lowercase hex). Everything else, non-ASCII included, is written as is.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push_str(escape);
        }
        plain = i + c.len_utf8();
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// Entries in JCS order (UTF-16 code units). serde_json's map already iterates in byte order,
/// which is the same order unless a key holds characters from U+E000 up; only then re-sort.
fn sorted_entries(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    entries
}

fn write_number(out: &mut String, n: &serde_json::Number) {
    use std::fmt::Write as _;
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else {
        out.push_str(ryu_js::Buffer::new().format(n.as_f64().unwrap_or(0.0)));
    }
}

/// The canonical (JCS) text of a value.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, None, 0);
    out
}

/// Indented text of a value (two spaces), with a final newline.
pub fn pretty(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, Some(2), 0);
    out.push('\n');
    out
}

fn write(out: &mut String, v: &Value, indent: Option<usize>, depth: usize) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(w) = indent {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', w * depth));
        }
    };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            // Short lists of scalars stay on one line in the pretty form.
            let flat = items.iter().all(|i| !i.is_array() && !i.is_object()) && items.len() <= 16;
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                    if flat && indent.is_some() {
                        out.push(' ');
                    }
                }
                if !flat {
                    newline(out, depth + 1);
                }
                write(out, item, indent, depth + 1);
            }
            if !flat && !items.is_empty() {
                newline(out, depth);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let needs_resort = map.keys().any(|k| k.chars().any(|c| c >= '\u{e000}'));
            let entries: Box<dyn Iterator<Item = (&String, &Value)>> = if needs_resort {
                Box::new(sorted_entries(map).into_iter())
            } else {
                Box::new(map.iter())
            };
            for (n, (k, item)) in entries.enumerate() {
                if n > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_string(out, k);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write(out, item, indent, depth + 1);
            }
            if !map.is_empty() {
                newline(out, depth);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jcs_numbers_and_order() {
        // Values from RFC 8785 §3.2.2.3 and Appendix B.
        assert_eq!(number(1.0), "1");
        assert_eq!(number(1e-7), "1e-7");
        assert_eq!(number(1e21), "1e+21");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(333333333.3333333), "333333333.3333333");
        assert_eq!(number(4.5), "4.5");
        assert_eq!(number(0.002), "0.002");
        assert_eq!(number(1e23), "1e+23");
        assert_eq!(number(9007199254740992.0), "9007199254740992");
        let v = json!({"b": [1.0, "\u{1f}é"], "a": {"z": null, "\u{e9}": true, "A": 1e-7}});
        assert_eq!(
            canonical(&v),
            r#"{"a":{"A":1e-7,"z":null,"é":true},"b":[1,"\u001fé"]}"#
        );
    }
}
