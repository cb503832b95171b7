//! Rust identifiers for schema names: the one place that knows Rust's keywords.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
