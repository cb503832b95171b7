//! The checker: document tree → [`Checked`] IR. Every rule lives in one function here or in a
//! submodule named after what it checks; all of them run, so one pass reports every problem.

mod ctx;
mod input;
mod tensors;
mod transform;
mod values;

pub use ctx::{closest as closest_name, is_identifier};
pub use values::{as_f64 as scalar_f64, rejects as value_rejects};

use crate::codes::Code;
use crate::diag::Diagnostic;
use crate::ir::{Dim, Schema, FORMAT_VERSION};
use crate::source::Span;
use crate::tree::{Node, Value};
use ctx::{suggest_identifier, Ctx};
use std::ops::Deref;

/// A schema that passed every check, with its canonical text and fingerprint, computed once.
/// Only [`check`] makes one, so an emitter that takes `&Checked` can never see an invalid schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    schema: Schema,
    canonical: String,
    fingerprint: String,
}

impl Checked {
    /// The IR.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The canonical IR: exactly the bytes the fingerprint hashes (SPEC §2.7).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// SHA-256 of the canonical IR, lowercase hex (SPEC §2.7).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The IR the back-ends read (the canonical form plus each tensor's layout), as JSON.
    pub fn plan_value(&self) -> serde_json::Value {
        crate::ir::json::value(&self.schema, crate::ir::json::Form::Plan)
    }
}

impl Deref for Checked {
    type Target = Schema;
    fn deref(&self) -> &Schema {
        &self.schema
    }
}

const TOP_KEYS: &[&str] = &[
    "tensorseam",
    "name",
    "version",
    "doc",
    "dims",
    "inputs",
    "tensors",
];

/// Checks a document tree. Returns the checked schema when no error was found; every diagnostic
/// (errors and warnings) is appended to `diags`.
pub fn check(root: &Node, diags: &mut Vec<Diagnostic>) -> Option<Checked> {
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let mut cx = Ctx {
        diags,
        omitted_errors: 0,
        omitted_warnings: 0,
    };
    let schema = schema(&mut cx, root);
    let errors_after = cx.errors();
    let omitted = cx.omitted_errors + cx.omitted_warnings;
    if omitted > 0 {
        let (n, what) = match (cx.omitted_errors, cx.omitted_warnings) {
            (0, w) => (w, "warning"),
            (e, 0) => (e, "error"),
            (e, w) => (e + w, "error and warning"),
        };
        let plural = if n == 1 { "" } else { "s" };
        let mut summary = Diagnostic::new(
            Code::TooManyDiagnostics,
            Span::point(0),
            format!("{n} more {what}{plural} are not shown"),
        );
        summary.count = n;
        cx.diags.push(summary);
    }
    let schema = schema.filter(|_| errors_after == errors_before)?;
    let canonical = crate::ir::json::canonical_text(&schema);
    let fingerprint = crate::fingerprint::of(&canonical);
    Some(Checked {
        schema,
        canonical,
        fingerprint,
    })
}

fn schema(cx: &mut Ctx<'_>, root: &Node) -> Option<Schema> {
    let f = cx.map(root, "the schema", TOP_KEYS)?;
    let help_format = "start the file with `tensorseam: 1`";
    if let Some(n) = cx.require(&f, "tensorseam", "the schema", help_format) {
        match &n.value {
            Value::Int(v) if *v == i128::from(FORMAT_VERSION) => {}
            Value::Int(v) => cx.report(
                Diagnostic::new(
                    Code::UnsupportedFormat,
                    n.span,
                    format!("format version {v} is not supported"),
                )
                .label(format!("this compiler reads format {FORMAT_VERSION}"))
                .help("upgrade tensorseam, or write `tensorseam: 1`"),
            ),
            _ => cx.wrong_kind(n, "tensorseam", "the format version `1`"),
        }
    }
    let schema_name = cx
        .require(&f, "name", "the schema", "add `name: my_model`")
        .and_then(|n| name(cx, n, "schema"));
    let version = cx
        .require(&f, "version", "the schema", "add `version: 1`")
        .and_then(|n| version(cx, n));
    let doc = cx.text(&f, "doc");
    let dims = f
        .get("dims")
        .map_or(Some(Vec::new()), |n| dims(cx, n))
        .unwrap_or_default();
    // Dims declared but invalid are still known names: a shape using one is not "undeclared".
    let dim_names: Vec<String> = match f.get("dims").map(|n| &n.value) {
        Some(Value::Map(entries)) => entries.iter().map(|(k, _)| k.name.clone()).collect(),
        _ => Vec::new(),
    };
    let inputs_node = cx.require(
        &f,
        "inputs",
        "the schema",
        "add `inputs:` with at least one input",
    );
    let mut inputs = Vec::new();
    let mut input_spans = Vec::new();
    let mut shape_spans = Vec::new();
    let mut inputs_ok = true;
    // Every declared input name, valid or not: a concat naming an input that failed its own checks
    // is not reported again as unknown.
    let mut declared: Vec<String> = Vec::new();
    if let Some(node) = inputs_node {
        match &node.value {
            Value::Map(entries) if !entries.is_empty() => {
                for (key, value) in entries {
                    declared.push(key.name.clone());
                    let named = name(
                        cx,
                        &Node::new(key.span, Value::Str(key.name.clone())),
                        "input",
                    )
                    .is_some();
                    match input::input(cx, key, value, &dims, &dim_names) {
                        Some(i) if named => {
                            inputs.push(i);
                            input_spans.push(key.span);
                            shape_spans.push(value.get("shape").map_or(key.span, |n| n.span));
                        }
                        _ => inputs_ok = false,
                    }
                }
            }
            Value::Map(_) => {
                cx.report(
                    Diagnostic::new(
                        Code::NoFeatures,
                        node.span,
                        "the schema has no inputs".to_string(),
                    )
                    .label("empty")
                    .help("declare at least one input"),
                );
            }
            _ => cx.wrong_kind(node, "inputs", "a mapping of input names to inputs"),
        }
    }
    let decls = f
        .get("tensors")
        .map(|n| tensors::decls(cx, n))
        .unwrap_or_default();
    // Carry on with placeholders so later rules still run; `check` discards the result when any
    // error was reported.
    let (name, version) = (schema_name.unwrap_or_default(), version.unwrap_or(1));
    let mut schema = Schema {
        name,
        version,
        doc,
        dims: dims.iter().map(|(d, _)| d.clone()).collect(),
        inputs,
        tensors: decls.iter().map(|d| d.decl.clone()).collect(),
        specs: Vec::new(),
    };
    if inputs_node.is_some() {
        if inputs_ok
            && !schema
                .inputs
                .iter()
                .any(|i| i.role == crate::ir::Role::Feature)
            && !schema.inputs.is_empty()
        {
            let at = inputs_node.map_or(root.span, |n| n.span);
            cx.report(
                Diagnostic::new(
                    Code::NoFeatures,
                    at,
                    "the schema has no feature input".to_string(),
                )
                .label("only labels and weights")
                .help("a model needs at least one input with `role: feature` (the default)"),
            );
        }
        tensors::namespace(cx, &schema, &dims, &input_spans, &decls);
        let specs = tensors::resolve(cx, &schema, &shape_spans, &decls, &declared);
        if inputs_ok {
            unused_dims(cx, &schema, &dims);
        }
        schema.specs = specs?;
    }
    Some(schema)
}

/// Validates a name (schema, dim, input, tensor): `[a-z][a-z0-9_]*`, at most 64 characters.
fn name(cx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<String> {
    let s = cx.string(node, &format!("the {what} name"))?;
    if is_identifier(s) {
        return Some(s.to_string());
    }
    let mut d = Diagnostic::new(
        Code::InvalidName,
        node.span,
        format!("`{s}` is not a valid {what} name"),
    )
    .label("names are lowercase letters, digits and `_`, starting with a letter");
    if s.len() > 64 {
        d = d.label("longer than 64 characters");
    }
    d = match suggest_identifier(s) {
        Some(fix) if fix != s => d.help(format!("try `{fix}`")),
        _ => d.help("write a name such as `bill_length_mm`"),
    };
    cx.report(d);
    None
}

fn version(cx: &mut Ctx<'_>, node: &Node) -> Option<u64> {
    match &node.value {
        Value::Int(v) if *v >= 1 => u64::try_from(*v).ok(),
        _ => {
            cx.report(
                Diagnostic::new(
                    Code::InvalidVersion,
                    node.span,
                    "the schema version must be a positive integer".to_string(),
                )
                .label("not a positive integer")
                .help("versions count up from 1; bump it on every breaking change"),
            );
            None
        }
    }
}

fn dims(cx: &mut Ctx<'_>, node: &Node) -> Option<Vec<(Dim, Span)>> {
    let Value::Map(entries) = &node.value else {
        cx.wrong_kind(
            node,
            "dims",
            "a mapping of dim names to `{max, min, truncate}`",
        );
        return None;
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let named = name(
            cx,
            &Node::new(key.span, Value::Str(key.name.clone())),
            "dim",
        );
        let dim = if value.value == Value::Null {
            Some(Dim {
                name: key.name.clone(),
                max: None,
                min: None,
                truncate: crate::ir::Truncate::Error,
                doc: None,
            })
        } else {
            dim(cx, &key.name, value)
        };
        if let (Some(d), Some(_)) = (dim, named) {
            out.push((d, key.span));
        }
    }
    Some(out)
}

fn dim(cx: &mut Ctx<'_>, name: &str, node: &Node) -> Option<Dim> {
    let f = cx.map(
        node,
        &format!("dim `{name}`"),
        &["max", "min", "truncate", "doc"],
    )?;
    let max = f.get("max").map(|n| cx.count(n, "max"));
    let min = f.get("min").map(|n| cx.count(n, "min"));
    let truncate = transform::truncate(cx, f.get("truncate"));
    let doc = cx.text(&f, "doc");
    let (max, min, truncate) = (
        max.map_or(Some(None), |m| m.map(Some))?,
        min.map_or(Some(None), |m| m.map(Some))?,
        truncate?,
    );
    if truncate != crate::ir::Truncate::Error && max.is_none() {
        cx.report(
            Diagnostic::new(
                Code::InvalidDim,
                f.key_span("truncate"),
                format!("dim `{name}` truncates but has no `max`"),
            )
            .label("truncate to what length?")
            .help("add `max: <n>`, or remove `truncate`"),
        );
        return None;
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            cx.report(
                Diagnostic::new(
                    Code::InvalidDim,
                    f.key_span("min"),
                    format!("dim `{name}` has `min` {lo} above `max` {hi}"),
                )
                .label("above max")
                .with(f.key_span("max"), "max"),
            );
            return None;
        }
    }
    Some(Dim {
        name: name.to_string(),
        max,
        min,
        truncate,
        doc,
    })
}

fn unused_dims(cx: &mut Ctx<'_>, schema: &Schema, dims: &[(Dim, Span)]) {
    for (dim, span) in dims {
        let used = schema.inputs.iter().any(|i| {
            i.shape
                .iter()
                .any(|a| matches!(a, crate::ir::Axis::Dim(d) if *d == dim.name))
        });
        if !used {
            cx.report(
                Diagnostic::new(
                    Code::UnusedDim,
                    *span,
                    format!("dim `{}` is declared but no input uses it", dim.name),
                )
                .label("unused")
                .help("use it in a `shape`, or remove it"),
            );
        }
    }
}

#[cfg(test)]
mod tests;
