//! `tensorseam check-model`: an ONNX model's inputs held against the schema's serving tensors
//! (SPEC §13) by the runtime's check (`tensorseam::onnx`), each finding shown at the line of the
//! schema that declares the tensor. Exit 0 when the model fits (warnings allowed), 1 when it
//! does not, 2 when the schema or the model cannot be read.

use crate::args::{Color, DiagFormat};
use crate::output::{out, say};
use std::path::Path;
use tensorseam::dynamic::Schema;
use tensorseam::onnx::{Finding, Model, Severity};
use tensorseam_compiler::names::printable;
use tensorseam_compiler::tree::Node;
use tensorseam_compiler::SourceFile;

/// Parses `TENSOR=MODEL_INPUT`.
pub fn parse_map(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((t, i)) if !t.is_empty() && !i.is_empty() => Ok((t.to_string(), i.to_string())),
        _ => Err(format!("`{s}`: write TENSOR=MODEL_INPUT")),
    }
}

/// Where the schema declares tensor `name`: a declared tensor, else the input or dim it is named
/// after (a mask is named after its dim), else the file's start.
fn line_of(file: &SourceFile, tree: Option<&Node>, name: &str) -> (usize, usize) {
    let at = tree.and_then(|t| {
        t.locate(&["tensors", name])
            .filter(|_| t.get("tensors").and_then(|x| x.get(name)).is_some())
            .or_else(|| {
                t.get("inputs")
                    .and_then(|x| x.get(name))
                    .and_then(|_| t.locate(&["inputs", name]))
            })
            .or_else(|| {
                let dim = name.strip_suffix("_mask")?;
                t.get("dims")
                    .and_then(|x| x.get(dim))
                    .and_then(|_| t.locate(&["dims", dim]))
            })
    });
    file.line_col(at.unwrap_or(0))
}

/// `tensorseam check-model`.
pub fn check_model(
    schema_path: &Path,
    model_path: &Path,
    map: &[String],
    format: DiagFormat,
    color: Color,
) -> u8 {
    let map: Vec<(String, String)> = match map.iter().map(|m| parse_map(m)).collect() {
        Ok(m) => m,
        Err(e) => {
            say!("error: --map {}", printable(&e));
            return 2;
        }
    };
    let (file, checked) = match crate::load::load_source(schema_path, color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let tree = tensorseam_compiler::parse(&file, &mut Vec::new());
    let bytes = match read_model(model_path) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let model = match Model::read(&bytes) {
        Ok(m) => m,
        Err(e) => {
            say!(
                "error: `{}`: {e}",
                printable(&model_path.display().to_string())
            );
            return 2;
        }
    };
    drop(bytes);
    let name = checked.name.clone();
    let version = checked.version;
    let schema = match Schema::from_checked(checked) {
        Ok(s) => s,
        Err(e) => {
            say!("error: {e}");
            return 1;
        }
    };
    let findings = schema.check_onnx(&model, &map);
    let errors = findings.iter().filter(|f| f.is_error()).count();
    let code = u8::from(errors > 0);
    let model_shown = printable(&model_path.display().to_string()).into_owned();
    let place = |f: &Finding| {
        f.tensor
            .as_deref()
            .map_or((1, 1), |t| line_of(&file, tree.as_ref(), t))
    };
    match format {
        DiagFormat::Human => {
            for f in &findings {
                let (line, col) = place(f);
                let kind = if f.is_error() { "error" } else { "warning" };
                say!("{kind}[{}]: {}", f.code, f.message);
                say!("  --> {}:{line}:{col}", printable(file.path()));
                say!("   = model: {model_shown}");
                if let Some(h) = &f.help {
                    say!("   = help: {h}");
                }
            }
            if errors == 0 {
                say!(
                    "{model_shown}: fits schema `{}` v{} ({} input{}{})",
                    printable(&name),
                    version,
                    model.inputs.len(),
                    if model.inputs.len() == 1 { "" } else { "s" },
                    if findings.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ", {} warning{}",
                            findings.len(),
                            if findings.len() == 1 { "" } else { "s" }
                        )
                    }
                );
            } else {
                say!(
                    "error: `{model_shown}` does not fit schema `{}`: {errors} problem{}",
                    printable(&name),
                    if errors == 1 { "" } else { "s" }
                );
            }
        }
        DiagFormat::Json => {
            let items: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| {
                    let (line, column) = place(f);
                    serde_json::json!({
                        "severity": if f.is_error() { "error" } else { "warning" },
                        "code": f.code,
                        "model_input": f.model_input,
                        "tensor": f.tensor,
                        "message": f.message,
                        "help": f.help,
                        "file": file.path(),
                        "line": line,
                        "column": column,
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "schema": name,
                "model": model_path.display().to_string(),
                "fits": errors == 0,
                "inputs": model.inputs.iter().map(|i| serde_json::json!({"name": i.name, "type": i.describe()})).collect::<Vec<_>>(),
                "findings": items,
            });
            if out(&format!("{doc}\n")) != 0 {
                return 2;
            }
        }
        DiagFormat::Github => {
            let mut text = String::new();
            for f in &findings {
                let (line, col) = place(f);
                let kind = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                text.push_str(&format!(
                    "::{kind} file={},line={line},col={col},title={}::{}\n",
                    tensorseam_compiler::diag::gh_escape(file.path(), true),
                    tensorseam_compiler::diag::gh_escape(
                        &format!("tensorseam check-model: {}", f.code),
                        true
                    ),
                    tensorseam_compiler::diag::gh_escape(
                        &format!("{} (model {model_shown})", f.message),
                        false
                    )
                ));
            }
            if out(&text) != 0 {
                return 2;
            }
        }
    }
    code
}

/// The model file's bytes, read once; a path that is not a regular file is refused.
fn read_model(path: &Path) -> Result<Vec<u8>, u8> {
    let shown = printable(&path.display().to_string()).into_owned();
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => {
            say!("error: `{shown}` is not a regular file");
            return Err(2);
        }
        Err(e) => {
            say!("error: cannot read `{shown}`: {e}");
            return Err(2);
        }
    }
    std::fs::read(path).map_err(|e| {
        say!("error: cannot read `{shown}`: {e}");
        2
    })
}
