//! The syntax-neutral document tree: both front-ends (YAML and the DSL) produce it, so every rule after
//! parsing — unknown keys, wrong kinds, semantics — is written once and reports the same codes for both.

use crate::source::Span;

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the value is written.
    pub span: Span,
    /// The value.
    pub value: Value,
}

/// A key of a mapping, with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Where the key is written.
    pub span: Span,
}

/// A document value. Scalars are already typed (YAML 1.2 core schema, or the DSL's literals).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~`, or an empty YAML value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer literal; i128 holds every i64 and u64.
    Int(i128),
    /// A float literal (may be ±inf or NaN in YAML: `.inf`, `.nan`).
    Float(f64),
    /// A string (quoted, or a plain scalar that is no other type).
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping in source order; keys are unique (duplicates are diagnosed while parsing).
    Map(Vec<(Key, Node)>),
    /// A value that was already diagnosed while parsing (an integer too large, say): later rules
    /// skip it silently instead of reporting a second error about the same text.
    Invalid,
}

impl Value {
    /// What kind of value this is, as a user would say it.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            Value::Invalid => "an invalid value",
        }
    }
}

impl Node {
    /// A node.
    pub fn new(span: Span, value: Value) -> Node {
        Node { span, value }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entry `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Where the deepest key along `path` starts (`["inputs", "fare", "scale"]` → the `scale` key,
    /// or the `fare` key when it has no `scale`); `None` when not even the first key is there.
    pub fn locate(&self, path: &[&str]) -> Option<usize> {
        let mut node = self;
        let mut at = None;
        for part in path {
            let Value::Map(entries) = &node.value else {
                break;
            };
            let Some((k, v)) = entries.iter().find(|(k, _)| k.name == *part) else {
                break;
            };
            at = Some(k.span.start);
            node = v;
        }
        at
    }
}

/// Deepest nesting any valid schema reaches is 6; this leaves room and stops hostile input early.
pub const MAX_DEPTH: usize = 32;
