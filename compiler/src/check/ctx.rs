//! The diagnostic collector and the typed accessors every rule uses to read the document tree.
//! Accessors report a wrong kind and return `None`; callers carry on, so one run reports every
//! problem of a file.

use crate::codes::Code;
use crate::diag::Diagnostic;
use crate::source::Span;
use crate::tree::{Key, Node, Value};

/// Collects diagnostics while checking, up to [`crate::MAX_DIAGNOSTICS`]; past that they are only
/// counted, so a file with a million mistakes costs a million counts, not a million messages.
pub struct Ctx<'d> {
    pub diags: &'d mut Vec<Diagnostic>,
    /// Errors past the limit.
    pub omitted_errors: usize,
    /// Warnings past the limit.
    pub omitted_warnings: usize,
}

/// The entries of a mapping whose keys have been checked against the allowed set.
pub struct Fields<'n> {
    pub node: &'n Node,
    entries: &'n [(Key, Node)],
    /// The keys this mapping takes (a key among them is never a misspelling of another).
    allowed: Vec<&'static str>,
}

impl<'n> Fields<'n> {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// The span of `key` itself, or of the whole mapping when it is absent.
    pub fn key_span(&self, key: &str) -> Span {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map_or(self.node.span, |(k, _)| k.span)
    }
}

/// The closest of `options` to `word`, if it is close enough to be a typo.
pub use tensorseam_core::suggest::closest;

/// `a`, `b` or `c`
pub fn one_of(options: &[&str]) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

impl Ctx<'_> {
    /// Records a diagnostic (or counts it, past the limit).
    pub fn report(&mut self, d: Diagnostic) {
        if self.diags.len() < crate::MAX_DIAGNOSTICS {
            self.diags.push(d);
        } else if d.is_error() {
            self.omitted_errors += 1;
        } else {
            self.omitted_warnings += 1;
        }
    }

    /// Whether more diagnostics would only be counted (costly hints can be skipped).
    pub fn full(&self) -> bool {
        self.diags.len() >= crate::MAX_DIAGNOSTICS
    }

    /// The errors reported so far, counted ones included.
    pub fn errors(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count() + self.omitted_errors
    }

    /// A wrong-kind error: "expected X for `what`, found Y".
    pub fn wrong_kind(&mut self, node: &Node, what: &str, expected: &str) {
        if node.value == Value::Invalid {
            return;
        }
        let found = match &node.value {
            Value::Str(s) if s.len() <= 40 => format!("the string \"{s}\""),
            Value::Int(i) => format!("the integer {i}"),
            other => other.kind().to_string(),
        };
        self.report(
            Diagnostic::new(
                Code::WrongKind,
                node.span,
                format!("`{what}` must be {expected}, found {found}"),
            )
            .label(format!("expected {expected}")),
        );
    }

    /// A mapping with only `allowed` keys; unknown keys are reported (with a "did you mean").
    pub fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&'static str],
    ) -> Option<Fields<'n>> {
        let Value::Map(entries) = &node.value else {
            self.wrong_kind(node, what, "a mapping");
            return None;
        };
        for (k, _) in entries {
            if !allowed.contains(&k.name.as_str()) {
                let mut d = Diagnostic::new(
                    Code::UnknownKey,
                    k.span,
                    format!("unknown key `{}` in {what}", k.name),
                )
                .label("not expected here");
                d = match closest(&k.name, allowed) {
                    Some(c) => d.help(format!("did you mean `{c}`?")),
                    None => d.help(format!("{what} takes {}", one_of(allowed))),
                };
                self.report(d);
            }
        }
        Some(Fields {
            node,
            entries,
            allowed: allowed.to_vec(),
        })
    }

    /// A required key: reported at the mapping when absent.
    pub fn require<'n>(
        &mut self,
        f: &Fields<'n>,
        key: &str,
        what: &str,
        help: &str,
    ) -> Option<&'n Node> {
        let v = f.get(key);
        // A misspelt key (`inptus`) is already reported with "did you mean"; say it once. A key
        // this mapping takes is no misspelling (`tensors` is not a misspelt `tensorseam`).
        let misspelt = || {
            f.entries.iter().any(|(k, _)| {
                !f.allowed.contains(&k.name.as_str()) && closest(&k.name, &[key]).is_some()
            })
        };
        if v.is_none() && !misspelt() {
            let mut d = Diagnostic::new(
                Code::MissingKey,
                f.node.span,
                format!("{what} has no `{key}`"),
            )
            .label(format!("`{key}` is required here"));
            if !help.is_empty() {
                d = d.help(help.to_string());
            }
            self.report(d);
        }
        v
    }

    /// A string.
    pub fn string<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str> {
        match &node.value {
            Value::Str(s) => Some(s),
            _ => {
                self.wrong_kind(node, what, "a string");
                None
            }
        }
    }

    /// A string that is one of `options`.
    pub fn choice<'o>(
        &mut self,
        node: &Node,
        what: &str,
        options: &[&'o str],
        code: Code,
    ) -> Option<&'o str> {
        let s = self.string(node, what)?;
        if let Some(o) = options.iter().find(|o| **o == s) {
            return Some(o);
        }
        let mut d = Diagnostic::new(code, node.span, format!("unknown {what} `{s}`"))
            .label(format!("expected {}", one_of(options)));
        if let Some(c) = closest(s, options) {
            d = d.help(format!("did you mean `{c}`?"));
        }
        self.report(d);
        None
    }

    /// A non-negative integer that fits u64.
    pub fn uint(&mut self, node: &Node, what: &str) -> Option<u64> {
        match &node.value {
            Value::Int(i) if *i >= 0 => u64::try_from(*i).ok(),
            Value::Int(_) => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidCount,
                        node.span,
                        format!("`{what}` must not be negative"),
                    )
                    .label("negative"),
                );
                None
            }
            Value::Float(f) if f.fract() == 0.0 => {
                self.report(
                    Diagnostic::new(
                        Code::WrongKind,
                        node.span,
                        format!("`{what}` must be an integer, found a float"),
                    )
                    .label("written as a float")
                    .help(format!(
                        "write it without a decimal point: `{}`",
                        *f as i128
                    )),
                );
                None
            }
            _ => {
                self.wrong_kind(node, what, "an integer");
                None
            }
        }
    }

    /// An integer of at least 1.
    pub fn count(&mut self, node: &Node, what: &str) -> Option<u64> {
        let n = self.uint(node, what)?;
        if n == 0 {
            self.report(
                Diagnostic::new(
                    Code::InvalidCount,
                    node.span,
                    format!("`{what}` must be at least 1"),
                )
                .label("zero"),
            );
            return None;
        }
        Some(n)
    }

    /// A finite number (an integer is a fine float; `std: 2`).
    pub fn float(&mut self, node: &Node, what: &str) -> Option<f64> {
        let x = match &node.value {
            Value::Float(f) => *f,
            Value::Int(i) => *i as f64,
            _ => {
                self.wrong_kind(node, what, "a number");
                return None;
            }
        };
        if !x.is_finite() {
            self.report(
                Diagnostic::new(
                    Code::NonFiniteParameter,
                    node.span,
                    format!("`{what}` must be finite"),
                )
                .label("not a finite number"),
            );
            return None;
        }
        Some(x)
    }

    /// Free text (`doc`, `deprecated`).
    pub fn text(&mut self, f: &Fields<'_>, key: &str) -> Option<String> {
        f.get(key)
            .and_then(|n| self.string(n, key))
            .map(str::to_string)
    }
}

/// `[a-z][a-z0-9_]*`, at most 64 characters.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A valid identifier close to `s`, if one can be made.
pub fn suggest_identifier(s: &str) -> Option<String> {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && !out.is_empty() && !out.ends_with('_') {
                let prev_lower = out.chars().last().is_some_and(|p| p.is_ascii_lowercase());
                if prev_lower {
                    out.push('_');
                }
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out
        .trim_end_matches('_')
        .chars()
        .take(64)
        .collect::<String>();
    let out = out.trim_end_matches('_').to_string();
    is_identifier(&out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_identifier("bill_length_mm"));
        assert!(is_identifier("x1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("_x"));
        assert!(!is_identifier("Bill"));
        assert!(!is_identifier(""));
        assert!(!is_identifier(&"a".repeat(65)));
        assert!(is_identifier(&"a".repeat(64)));
        assert_eq!(
            suggest_identifier("Bill Length").as_deref(),
            Some("bill_length")
        );
        assert_eq!(
            suggest_identifier("billLength").as_deref(),
            Some("bill_length")
        );
        assert_eq!(suggest_identifier("9lives"), None);
    }

    #[test]
    fn typo_hints() {
        assert_eq!(
            closest("standardise", &["standardize", "minmax"]),
            Some("standardize")
        );
        assert_eq!(closest("dtpye", &["dtype", "shape"]), Some("dtype"));
        assert_eq!(closest("zzz", &["dtype", "shape"]), None);
    }
}
