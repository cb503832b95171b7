//! Names and strings crossing into code or onto a terminal: the one place that knows Rust's and
//! Python's keywords, how an input becomes a field and a type, and how any text — a schema path,
//! a doc, a category, a field name read from data — is escaped for a Rust comment, a Python
//! literal or a terminal (SPEC §10: paths and names are data, never code or control).

use crate::ir::{Axis, DType, Input, Missing};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Strict and reserved keywords of Rust 2021 and 2024 that schema names can spell (all lowercase).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Names that cannot even be raw identifiers.
const NOT_RAW: &[&str] = &["self", "super", "crate"];

/// Whether `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// The field identifier for an input: the name itself, `r#name` for keywords, and `name_` for
/// `self`/`super`/`crate`, which need `#[tensorseam(rename = "name")]` beside them.
pub fn field_ident(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// Whether the field for `name` needs a `rename` attribute.
pub fn needs_rename(name: &str) -> bool {
    NOT_RAW.contains(&name)
}

/// `penguins` → `Penguins`, `click_stream` → `ClickStream`.
pub fn struct_name(schema: &str) -> String {
    schema
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// The Rust type a schema dtype is written as.
pub fn rust_leaf(d: DType) -> &'static str {
    match d {
        DType::Str => "String",
        d => d.name(),
    }
}

/// The Rust type that fits an input exactly (for `help:` lines and `gen rust`).
pub fn rust_type(input: &Input) -> String {
    let mut t = rust_leaf(input.dtype).to_string();
    for axis in input.shape.iter().rev() {
        t = match axis {
            Axis::Fixed(n) => format!("[{t}; {n}]"),
            Axis::Dim(_) => format!("Vec<{t}>"),
        };
    }
    if matches!(input.missing, Missing::Fill(_)) {
        t = format!("Option<{t}>");
    }
    t
}

/// Text safe on one line of a Rust `//` comment or a generated file's header: every control
/// character (newlines and carriage returns included, which would end the comment and start
/// code) and every bidirectional override (which would make the text read otherwise than it
/// compiles) is written as a `\u{…}` escape.
pub fn comment_text(s: &str) -> Cow<'_, str> {
    printable(s)
}

/// The lines of a doc comment (`///`), each safe: split at line breaks of any kind (`\n`, `\r\n`
/// and a bare `\r`, which rustc refuses inside a doc comment), other control characters escaped.
pub fn doc_lines(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split(['\n', '\r'])
        .map(|l| printable(l).into_owned())
        .collect()
}

pub use tensorseam_core::text::printable;

/// Multi-line text for a terminal: each line made [`printable`], the line breaks kept.
pub fn printable_lines(s: &str) -> String {
    s.split('\n').map(printable).collect::<Vec<_>>().join("\n")
}

/// A Python string literal for any text: double-quoted, ASCII only, every quote, backslash,
/// control and non-ASCII character escaped — so no schema string can end the literal early or
/// change what the module parses to.
pub fn python_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "rust")]
    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("match"), "r#match");
        assert_eq!(field_ident("gen"), "r#gen");
        assert_eq!(field_ident("self"), "self_");
        assert!(needs_rename("crate"));
        assert_eq!(field_ident("island"), "island");
        for kw in KEYWORDS {
            if !NOT_RAW.contains(kw) {
                assert!(
                    syn::parse_str::<syn::Ident>(&field_ident(kw)).is_ok(),
                    "{kw}"
                );
            }
        }
    }

    #[test]
    fn python_strings_are_escaped_to_ascii() {
        assert_eq!(python_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(python_string("\"\"\"\n"), r#""\"\"\"\n""#);
        assert_eq!(
            python_string("é日\u{1F600}\u{0}"),
            r#""\xe9\u65e5\U0001f600\x00""#
        );
        assert!(python_string("x\u{7f}y").is_ascii());
    }

    #[test]
    fn terminal_and_comment_text_has_no_control() {
        assert_eq!(printable("island"), "island");
        assert_eq!(printable("é ü 日"), "é ü 日");
        assert_eq!(printable("\u{1b}]0;owned\u{7}x"), "\\u{1b}]0;owned\\u{7}x");
        assert_eq!(printable("a\nb\rc"), "a\\u{a}b\\u{d}c");
        assert_eq!(printable("\u{202e}txt"), "\\u{202e}txt");
        assert_eq!(printable("\u{85}"), "\\u{85}");
        assert!(!comment_text("p.yaml\n}\nfn evil() {}").contains('\n'));
        assert_eq!(doc_lines("a\rb\r\nc\nd"), ["a", "b", "c", "d"]);
        assert_eq!(doc_lines("one\n\ntwo"), ["one", "", "two"]);
        assert_eq!(doc_lines("x\u{1b}y"), ["x\\u{1b}y"]);
    }
}
