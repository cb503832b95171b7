//! The YAML front-end, over saphyr-parser's event stream.
//!
//! Events (rather than a loaded document) give every node its span, show anchors, aliases and tags
//! so they can be rejected, and keep the scalar style so that the YAML 1.2 core schema is applied
//! here: `no`/`yes`/`on` are strings, a quoted number is a string.

use crate::codes::Code;
use crate::diag::Diagnostic;
use crate::source::Span;
use crate::tree::{Key, Node, Value, MAX_DEPTH};
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Maps saphyr's character indices to byte offsets.
struct Offsets<'a> {
    text: &'a str,
    /// Byte offset of each char, present only for non-ASCII text.
    table: Option<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let table = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        Offsets { text, table }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.text.len()),
            Some(t) => t.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }

    fn span(&self, s: saphyr_parser::Span) -> Span {
        Span::new(self.byte(s.start.index()), self.byte(s.end.index()))
    }
}

/// A collection under construction. Maps keep a key index so duplicate detection stays linear
/// for the 5,000-input schemas real users write.
enum Open {
    Seq(Span, Vec<Node>),
    Map(Span, Vec<(Key, Node)>, Option<Node>, HashMap<String, usize>),
}

/// Parses YAML text into a document tree. Returns `None` (with diagnostics) when the text is
/// not a usable document; diagnostics may also accompany a tree (duplicate keys, for example).
pub fn parse(text: &str, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    // Depth beyond MAX_DEPTH: count levels while skipping them.
    let mut skipping = 0usize;
    let mut root: Option<Node> = None;
    let mut documents = 0;
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(e) => e,
            Err(err) => {
                let at = offsets.byte(err.marker().index());
                diags.push(
                    Diagnostic::new(Code::YamlSyntax, Span::point(at), err.info().to_string())
                        .label("here"),
                );
                return None;
            }
        };
        let span = offsets.span(span);
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    diags.push(
                        Diagnostic::new(
                            Code::UnsupportedYaml,
                            span,
                            "a schema file holds one YAML document",
                        )
                        .help("remove the `---` and everything after it, or split the file"),
                    );
                    return None;
                }
                continue;
            }
            Event::Alias(_) => {
                diags.push(alias_error(span));
                return None;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if anchor > 0 {
                    diags.push(alias_error(span));
                    return None;
                }
                if tag.is_some() {
                    diags.push(tag_error(span));
                    return None;
                }
                if skipping > 0 || stack.len() >= MAX_DEPTH {
                    if skipping == 0 {
                        diags.push(
                            Diagnostic::new(
                                Code::TooDeep,
                                span,
                                format!("nesting deeper than {MAX_DEPTH} levels"),
                            )
                            .label("too deep"),
                        );
                    }
                    skipping += 1;
                    continue;
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq(span, Vec::new())
                } else {
                    Open::Map(span, Vec::new(), None, HashMap::new())
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if skipping > 0 {
                    skipping -= 1;
                    if skipping == 0 {
                        return None;
                    }
                    continue;
                }
                match stack.pop() {
                    Some(Open::Seq(start, items)) => Node::new(start.to(span), Value::Seq(items)),
                    Some(Open::Map(start, entries, _, _)) => {
                        Node::new(start.to(span), Value::Map(entries))
                    }
                    None => continue,
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if anchor > 0 {
                    diags.push(alias_error(span));
                    return None;
                }
                if tag.is_some() {
                    diags.push(tag_error(span));
                    return None;
                }
                if skipping > 0 {
                    continue;
                }
                match resolve_scalar(&text, style) {
                    Ok(value) => Node::new(span, value),
                    Err(message) => {
                        diags.push(Diagnostic::new(Code::NumberOutOfRange, span, message));
                        Node::new(span, Value::Invalid)
                    }
                }
            }
            Event::StreamEnd => break,
            _ => continue,
        };
        // Attach the finished node to its parent.
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::Seq(_, items)) => items.push(node),
            Some(Open::Map(_, entries, pending_key, index)) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key_node) => {
                    let Some(key) = map_key(key_node, diags) else {
                        continue;
                    };
                    if let Some((first, _)) = index.get(&key.name).map(|&i| &entries[i]) {
                        diags.push(
                            Diagnostic::new(
                                Code::DuplicateKey,
                                key.span,
                                format!("duplicate key `{}`", key.name),
                            )
                            .label("given again here")
                            .with(first.span, "first given here")
                            .help("remove one of the two"),
                        );
                    } else {
                        index.insert(key.name.clone(), entries.len());
                        entries.push((key, node));
                    }
                }
            },
        }
    }
    if root.is_none() {
        diags.push(Diagnostic::new(
            Code::EmptyFile,
            Span::point(0),
            "the file holds no schema",
        ));
    }
    root
}

fn alias_error(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::AliasNotAllowed,
        span,
        "YAML anchors and aliases are not allowed in a schema",
    )
    .label("anchor or alias")
    .help("write the value out in full: a schema reads the same everywhere it is used")
}

fn tag_error(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnsupportedYaml,
        span,
        "YAML tags are not used in schemas",
    )
    .label("tagged value")
    .help("remove the tag; write strings in quotes if they would read as another type")
}

fn map_key(node: Node, diags: &mut Vec<Diagnostic>) -> Option<Key> {
    let name = match node.value {
        Value::Str(s) => s,
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        Value::Float(f) => f.to_string(),
        other => {
            diags.push(Diagnostic::new(
                Code::WrongKind,
                node.span,
                format!("a mapping key must be a name, found {}", other.kind()),
            ));
            return None;
        }
    };
    Some(Key {
        name,
        span: node.span,
    })
}

/// Applies the YAML 1.2 core schema to a scalar. Only plain scalars can be non-strings.
fn resolve_scalar(text: &str, style: ScalarStyle) -> Result<Value, String> {
    if style != ScalarStyle::Plain {
        return Ok(Value::Str(text.to_string()));
    }
    Ok(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        _ => {
            if let Some(v) = core_int(text) {
                return v.map(Value::Int);
            }
            if is_core_float(text) {
                return match text.parse::<f64>() {
                    Ok(f) if f.is_finite() => Ok(Value::Float(f)),
                    _ => Err(format!("number `{text}` is too large to represent")),
                };
            }
            Value::Str(text.to_string())
        }
    })
}

/// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`; `Some(Err)` when it is an integer too large.
fn core_int(text: &str) -> Option<Result<i128, String>> {
    let (digits, radix) = if let Some(d) = text.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = text.strip_prefix("0x") {
        (d, 16)
    } else {
        let d = text.strip_prefix(['-', '+']).unwrap_or(text);
        (d, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let too_large = || format!("integer `{text}` is too large (the limit is 64 bits)");
    let parsed = if radix == 10 {
        text.parse::<i128>()
    } else {
        i128::from_str_radix(digits, radix)
    };
    Some(match parsed {
        Ok(v) if v >= i128::from(i64::MIN) && v <= i128::from(u64::MAX) => Ok(v),
        _ => Err(too_large()),
    })
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let int_digits = digits(&mut i);
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac_digits = digits(&mut i);
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Value {
        resolve_scalar(text, ScalarStyle::Plain).unwrap()
    }

    #[test]
    fn core_schema_scalars() {
        assert_eq!(one("no"), Value::Str("no".into()));
        assert_eq!(one("yes"), Value::Str("yes".into()));
        assert_eq!(one("on"), Value::Str("on".into()));
        assert_eq!(one("~"), Value::Null);
        assert_eq!(one("True"), Value::Bool(true));
        assert_eq!(one("12"), Value::Int(12));
        assert_eq!(one("-12"), Value::Int(-12));
        assert_eq!(one("0x1F"), Value::Int(31));
        assert_eq!(one("0o17"), Value::Int(15));
        assert_eq!(one("2.5"), Value::Float(2.5));
        assert_eq!(one("1e3"), Value::Float(1000.0));
        assert_eq!(one(".5"), Value::Float(0.5));
        assert_eq!(one("1_000"), Value::Str("1_000".into()));
        assert_eq!(one("18446744073709551615"), Value::Int(u64::MAX.into()));
        assert!(resolve_scalar("18446744073709551616", ScalarStyle::Plain).is_err());
        assert!(resolve_scalar("1e999", ScalarStyle::Plain).is_err());
        assert_eq!(
            resolve_scalar("12", ScalarStyle::DoubleQuoted).unwrap(),
            Value::Str("12".into())
        );
    }

    #[test]
    fn duplicate_keys_and_aliases_are_diagnosed() {
        let mut d = Vec::new();
        parse("a: 1\nb: 2\na: 3\n", &mut d);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::DuplicateKey);
        let mut d = Vec::new();
        assert!(parse("a: &x [1]\nb: *x\n", &mut d).is_none());
        assert_eq!(d[0].code, Code::AliasNotAllowed);
    }

    #[test]
    fn deep_nesting_stops_early() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let mut d = Vec::new();
        assert!(parse(&text, &mut d).is_none());
        assert!(!d.is_empty());
    }
}
