//! `tensorseam diff`: two schema files, or every schema file at a git revision against the working
//! tree (`--git REV [PATHS]`), classified by `tensorseam_compiler::diff` and rendered in the chosen
//! format.

use crate::args::{Color, DiagFormat, DiffFormat};
use crate::git;
use crate::output::{out, say, Reporter};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tensorseam_compiler::diff::{self, render, Review};
use tensorseam_compiler::names::{printable, printable_lines};
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
                tensorseam_compiler::read_source(p).map_err(|e| {
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
    // Paths come from the repository: escaped for the formats read on a terminal or in a log
    // (a name holding a line break would otherwise forge a line of the report).
    let outcomes: Vec<(String, Outcome)> = match format {
        DiffFormat::Json => outcomes,
        _ => outcomes
            .into_iter()
            .map(|(p, o)| (printable(&p).into_owned(), o))
            .collect(),
    };
    let shown = show(&outcomes, format, git);
    // JSON escapes every character itself; the other formats are read on a terminal or in a log.
    let printed = out(&match format {
        DiffFormat::Json => shown,
        _ => printable_lines(&shown),
    });
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

/// Whether `bytes` at `path` is a tensorseam schema: any `.seam` file, or a YAML file with a
/// top-level `tensorseam` key — other YAML files (CI workflows, configs) are not compared. A file
/// over the size limit is a schema when its head says so (it then fails with its size).
fn looks_like_schema(path: &str, bytes: &[u8]) -> bool {
    if path.ends_with(".seam") {
        return true;
    }
    if bytes.len() > tensorseam_compiler::MAX_FILE_BYTES {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1 << 16)]);
        return head.lines().any(|l| {
            l.strip_prefix("tensorseam")
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        });
    }
    let (file, _) = compile_bytes(path, bytes);
    tensorseam_compiler::parse(&file, &mut Vec::new())
        .is_some_and(|t| t.get("tensorseam").is_some())
}

/// PATHS as pathspecs relative to the repository's top, taken literally.
fn pathspecs(top: &Path, paths: &[PathBuf]) -> Result<Vec<String>, String> {
    let top_real = top.canonicalize().unwrap_or_else(|_| top.to_path_buf());
    let mut specs = Vec::new();
    for p in paths {
        let real = p
            .canonicalize()
            .map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
        let rel = real
            .strip_prefix(&top_real)
            .map_err(|_| format!("`{}` is outside the repository", p.display()))?;
        let rel = rel.to_string_lossy().into_owned();
        specs.push(format!(
            ":(literal){}",
            if rel.is_empty() { "." } else { &rel }
        ));
    }
    if specs.is_empty() {
        specs.push(":(literal).".to_string());
    }
    Ok(specs)
}

/// One schema file on one side: its label, and its bytes when it is a schema.
type Side = Option<(String, Vec<u8>)>;

fn from_git(rev: &str, paths: &[PathBuf], color: Color) -> Result<Vec<(String, Outcome)>, u8> {
    let fail = |msg: String| {
        say!("error: {}", printable(&msg));
        2u8
    };
    let top = git::toplevel().map_err(fail)?;
    let specs = pathspecs(&top, paths).map_err(fail)?;
    git::verify_rev(&top, rev).map_err(fail)?;
    let mut sides: BTreeMap<git::GitPath, (Side, Side)> = BTreeMap::new();
    for (path, bytes) in git::files_at(&top, rev, &specs).map_err(fail)? {
        if looks_like_schema(&path.shown(), &bytes) {
            sides.entry(path.clone()).or_default().0 =
                Some((format!("{rev}:{}", path.shown()), bytes));
        }
    }
    for (path, bytes) in git::working_files(&top, &specs).map_err(fail)? {
        if let Some(bytes) = bytes.filter(|b| looks_like_schema(&path.shown(), b)) {
            sides.entry(path.clone()).or_default().1 = Some((path.shown(), bytes));
        }
    }
    sides.retain(|_, (old, new)| match (old, new) {
        (Some((_, a)), Some((_, b))) => a != b,
        (None, None) => false,
        _ => true,
    });
    let loaded = |side: &(String, Vec<u8>)| load(&side.0, &side.1, color).ok_or(1u8);
    let mut outcomes: Vec<(String, Outcome)> = Vec::new();
    let mut added: Vec<(git::GitPath, Loaded)> = Vec::new();
    let mut deleted: Vec<(git::GitPath, Loaded)> = Vec::new();
    for (path, (old, new)) in &sides {
        match (old, new) {
            (Some(a), Some(b)) => {
                let (a, b) = (loaded(a)?, loaded(b)?);
                outcomes.push((
                    path.shown(),
                    Outcome::Modified(diff::compare(&a.checked, &b.checked), Box::new(b)),
                ));
            }
            (None, Some(b)) => added.push((path.clone(), loaded(b)?)),
            (Some(a), None) => deleted.push((path.clone(), loaded(a)?)),
            (None, None) => {}
        }
    }
    // A moved schema is reviewed as a change, not as a deletion and an addition: pairs by git's
    // rename detection first, then by schema name.
    let renames = git::renames(&top, rev, &specs).map_err(fail)?;
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (old, new) in &renames {
        let d = deleted.iter().position(|(p, _)| p == old);
        let a = added.iter().position(|(p, _)| p == new);
        if let (Some(d), Some(a)) = (d, a) {
            pairs.push((d, a));
        }
    }
    for (d, (_, old)) in deleted.iter().enumerate() {
        if pairs.iter().any(|(pd, _)| *pd == d) {
            continue;
        }
        let same = |(a, (_, new)): &(usize, &(git::GitPath, Loaded))| {
            !pairs.iter().any(|(_, pa)| pa == a) && new.checked.name == old.checked.name
        };
        if let Some((a, _)) = added.iter().enumerate().find(same) {
            pairs.push((d, a));
        }
    }
    let mut deleted: Vec<Option<(git::GitPath, Loaded)>> = deleted.into_iter().map(Some).collect();
    let mut added: Vec<Option<(git::GitPath, Loaded)>> = added.into_iter().map(Some).collect();
    for (d, a) in pairs {
        if let (Some((old_path, old)), Some((new_path, new))) = (deleted[d].take(), added[a].take())
        {
            outcomes.push((
                format!("{} → {}", old_path.shown(), new_path.shown()),
                Outcome::Modified(diff::compare(&old.checked, &new.checked), Box::new(new)),
            ));
        }
    }
    for (path, l) in added.into_iter().flatten() {
        outcomes.push((path.shown(), Outcome::Added(Box::new(l))));
    }
    for (path, l) in deleted.into_iter().flatten() {
        outcomes.push((path.shown(), Outcome::Deleted(Box::new(l))));
    }
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(outcomes)
}
