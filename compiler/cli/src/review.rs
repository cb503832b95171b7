//! `tensorseam diff`: two schema files, or every schema file at a git revision against the working
//! tree (`--git REV [PATHS]`), classified by `tensorseam_compiler::diff` and rendered in the chosen
//! format.

use crate::args::{Color, DiagFormat, DiffFormat};
use crate::output::{out, say, Reporter};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use tensorseam_compiler::diff::{self, render, Review};
use tensorseam_compiler::tree::Node;
use tensorseam_compiler::{compile_bytes, Checked, SourceFile};

/// A schema file compiled, with its tree (for the lines `github` annotates).
struct Loaded {
    file: SourceFile,
    tree: Option<Node>,
    checked: Checked,
}

/// Compiles `bytes` as the schema at `path`; prints its diagnostics, `None` when it has errors.
fn load(path: &str, bytes: &[u8], color: Color) -> Option<Loaded> {
    let (file, out) = compile_bytes(path, bytes);
    if !out.diagnostics.is_empty() {
        let mut reporter = Reporter::new(DiagFormat::Human, color);
        reporter.report(&file, &out.diagnostics);
    }
    let checked = out.checked?;
    let tree = tensorseam_compiler::parse(&file, &mut Vec::new());
    Some(Loaded {
        file,
        tree,
        checked,
    })
}

/// What happened to one schema file.
enum Outcome {
    Modified(Review, Box<Loaded>),
    Added(Box<Loaded>),
    Deleted(Box<Loaded>),
}

impl Outcome {
    fn fails(&self, allow_breaking: bool) -> bool {
        match self {
            Outcome::Modified(r, _) => r.fails(allow_breaking),
            Outcome::Added(_) => false,
            // A deleted schema is breaking for whatever was trained on it; no version can approve it.
            Outcome::Deleted(_) => !allow_breaking,
        }
    }

    fn status(&self) -> &'static str {
        match self {
            Outcome::Modified(..) => "modified",
            Outcome::Added(_) => "added",
            Outcome::Deleted(_) => "deleted",
        }
    }
}

/// Runs `tensorseam diff`.
pub fn diff(
    paths: &[PathBuf],
    git: Option<&str>,
    format: DiffFormat,
    allow_breaking: bool,
    color: Color,
) -> u8 {
    let outcomes = match git {
        Some(rev) => match from_git(rev, paths, color) {
            Ok(x) => x,
            Err(code) => return code,
        },
        None => {
            let [old, new] = paths else {
                say!("error: `diff` takes two schema files (OLD NEW), or `--git REV [PATHS...]`");
                return 2;
            };
            let read = |p: &Path| {
                std::fs::read(p).map_err(|e| {
                    say!("error: cannot read `{}`: {e}", p.display());
                    2u8
                })
            };
            let (a, b) = match (read(old), read(new)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(c), _) | (_, Err(c)) => return c,
            };
            let (Some(a), Some(b)) = (
                load(&old.to_string_lossy(), &a, color),
                load(&new.to_string_lossy(), &b, color),
            ) else {
                return 1;
            };
            let review = diff::compare(&a.checked, &b.checked);
            vec![(
                new.to_string_lossy().into_owned(),
                Outcome::Modified(review, Box::new(b)),
            )]
        }
    };
    let printed = out(&show(&outcomes, format, git));
    if printed != 0 {
        return printed;
    }
    u8::from(outcomes.iter().any(|(_, o)| o.fails(allow_breaking)))
}

fn show(outcomes: &[(String, Outcome)], format: DiffFormat, git: Option<&str>) -> String {
    let single = git.is_none();
    match format {
        DiffFormat::Json if single => match &outcomes[0].1 {
            Outcome::Modified(r, _) => tensorseam_compiler::json::pretty(&render::json(r)),
            _ => String::new(),
        },
        DiffFormat::Json => {
            let files: Vec<serde_json::Value> = outcomes
                .iter()
                .map(|(path, o)| {
                    let review = match o {
                        Outcome::Modified(r, _) => render::json(r),
                        Outcome::Added(l) | Outcome::Deleted(l) => json!({
                            "name": l.checked.schema().name,
                            "version": l.checked.schema().version,
                            "fingerprint": l.checked.fingerprint(),
                        }),
                    };
                    json!({"path": path, "status": o.status(), "review": review})
                })
                .collect();
            tensorseam_compiler::json::pretty(&json!({"revision": git, "files": files}))
        }
        DiffFormat::Text => {
            let mut out = String::new();
            for (path, o) in outcomes {
                out.push_str(&match o {
                    Outcome::Modified(r, _) => render::text(r, path),
                    Outcome::Added(l) => format!(
                        "{path}: schema added ({} v{}): nothing deployed depends on it yet\n",
                        l.checked.schema().name,
                        l.checked.schema().version
                    ),
                    Outcome::Deleted(l) => format!(
                        "{path}: schema deleted ({} v{}): breaking for every model trained on it\n",
                        l.checked.schema().name,
                        l.checked.schema().version
                    ),
                });
            }
            if outcomes.is_empty() {
                out.push_str("no schema files changed\n");
            }
            out
        }
        DiffFormat::Markdown => {
            let mut out = String::new();
            if !single {
                out.push_str(&format!(
                    "## tensorseam schema review against `{}`\n\n",
                    git.unwrap_or_default()
                ));
                if outcomes.is_empty() {
                    out.push_str("No schema files changed.\n");
                }
            }
            for (path, o) in outcomes {
                match o {
                    Outcome::Modified(r, _) => out.push_str(&render::markdown(r, path)),
                    Outcome::Added(l) => out.push_str(&format!(
                        "### ✅ {path} — added\n\n`{}` v{}, fingerprint `{}`. Nothing deployed depends on it yet.\n",
                        l.checked.schema().name,
                        l.checked.schema().version,
                        l.checked.fingerprint()
                    )),
                    Outcome::Deleted(l) => out.push_str(&format!(
                        "### ❌ {path} — deleted\n\n`{}` v{}, fingerprint `{}`. **Breaking** for every model trained on it.\n",
                        l.checked.schema().name,
                        l.checked.schema().version,
                        l.checked.fingerprint()
                    )),
                }
                out.push('\n');
            }
            out
        }
        DiffFormat::Github => {
            let mut out = String::new();
            for (path, o) in outcomes {
                match o {
                    Outcome::Modified(r, l) => {
                        out.push_str(&render::github(r, &l.file, l.tree.as_ref()))
                    }
                    Outcome::Added(_) => out.push_str(&format!(
                        "::notice file={path},line=1,title=tensorseam diff::schema added\n"
                    )),
                    Outcome::Deleted(_) => out.push_str(&format!(
                        "::error title=tensorseam diff::{path}: schema deleted (breaking for every model trained on it)\n"
                    )),
                }
            }
            out
        }
    }
}

fn git_output(top: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn is_schema_name(p: &str) -> bool {
    p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".seam")
}

/// Whether `bytes` at `path` is a tensorseam schema (a YAML file with a top-level `tensorseam`
/// key, or any `.seam` file) — other YAML files (CI workflows, configs) are not compared.
fn looks_like_schema(path: &str, bytes: &[u8]) -> bool {
    if path.ends_with(".seam") {
        return true;
    }
    let (file, _) = compile_bytes(path, bytes);
    tensorseam_compiler::parse(&file, &mut Vec::new())
        .is_some_and(|t| t.get("tensorseam").is_some())
}

fn from_git(rev: &str, paths: &[PathBuf], color: Color) -> Result<Vec<(String, Outcome)>, u8> {
    let fail = |msg: String| {
        say!("error: {msg}");
        2u8
    };
    let top = git_output(Path::new("."), &["rev-parse", "--show-toplevel"]).map_err(fail)?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let top_real = top.canonicalize().unwrap_or_else(|_| top.clone());
    // PATHS relative to the repository's top, as git lists files.
    let mut specs = Vec::new();
    for p in paths {
        let real = p
            .canonicalize()
            .map_err(|e| fail(format!("cannot read `{}`: {e}", p.display())))?;
        let rel = real
            .strip_prefix(&top_real)
            .map_err(|_| fail(format!("`{}` is outside the repository", p.display())))?;
        let rel = rel.to_string_lossy().into_owned();
        specs.push(if rel.is_empty() { ".".to_string() } else { rel });
    }
    if specs.is_empty() {
        specs.push(".".to_string());
    }
    git_output(
        &top,
        &["rev-parse", "--verify", &format!("{rev}^{{commit}}")],
    )
    .map_err(|e| fail(format!("`{rev}` is not a revision: {e}")))?;
    let list = |args: &[&str]| -> Result<Vec<String>, u8> {
        let mut a: Vec<&str> = args.to_vec();
        a.push("--");
        a.extend(specs.iter().map(String::as_str));
        let out = git_output(&top, &a).map_err(fail)?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter(|l| is_schema_name(l))
            .map(str::to_string)
            .collect())
    };
    let mut files = list(&["ls-tree", "-r", "--name-only", "--full-tree", rev])?;
    files.extend(list(&[
        "ls-files",
        "--cached",
        "--others",
        "--exclude-standard",
    ])?);
    files.sort();
    files.dedup();
    let mut outcomes = Vec::new();
    for path in files {
        let old = git_output(&top, &["show", &format!("{rev}:{path}")]).ok();
        let new = std::fs::read(top.join(&path)).ok();
        let old = old.filter(|b| looks_like_schema(&path, b));
        let new = new.filter(|b| looks_like_schema(&path, b));
        let outcome = match (old, new) {
            (None, None) => continue,
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) => {
                let (Some(a), Some(b)) = (
                    load(&format!("{rev}:{path}"), &a, color),
                    load(&path, &b, color),
                ) else {
                    return Err(1);
                };
                Outcome::Modified(diff::compare(&a.checked, &b.checked), Box::new(b))
            }
            (None, Some(b)) => match load(&path, &b, color) {
                Some(l) => Outcome::Added(Box::new(l)),
                None => return Err(1),
            },
            (Some(a), None) => match load(&format!("{rev}:{path}"), &a, color) {
                Some(l) => Outcome::Deleted(Box::new(l)),
                None => return Err(1),
            },
        };
        outcomes.push((path, outcome));
    }
    Ok(outcomes)
}
