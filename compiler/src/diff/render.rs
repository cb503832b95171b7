//! `diff` output: a terminal report, a pull-request comment (Markdown), a stable JSON layout, and
//! GitHub workflow annotations on the changed lines of the new file.

use super::{Change, Class, Review, Verdict};
use crate::markdown::{cell, code};
use crate::source::SourceFile;
use crate::tree::Node;
use serde_json::{json, Value as Json};
use std::fmt::Write as _;

/// One sentence: the verdict, and what to do about it.
pub fn summary(r: &Review) -> String {
    let counts = format!(
        "{} breaking, {} retrain, {} safe",
        r.count(Class::Breaking),
        r.count(Class::Retrain),
        r.count(Class::Safe)
    );
    let (old, new) = (r.old.version, r.new.version);
    match r.verdict() {
        Verdict::NoChanges => "no changes: the schemas have the same IR".to_string(),
        Verdict::Safe => format!("safe: {counts}; no record's tensors change"),
        Verdict::Retrain => format!(
            "retrain: {counts}; records rejected before now reach the model — retrain before deploying"
        ),
        Verdict::BreakingApproved => format!(
            "breaking, approved by the version bump v{old} → v{new}: {counts}; deploy model and producers together"
        ),
        Verdict::Breaking => format!(
            "breaking without a version bump: {counts}; bump `version` (now {new}) to approve, or undo the breaking changes"
        ),
        Verdict::VersionLowered => {
            format!("the version went down (v{old} → v{new}): versions only increase")
        }
    }
}

fn old_new(c: &Change) -> String {
    match (&c.old, &c.new) {
        (Some(o), Some(n)) => format!("{o} → {n}"),
        (Some(o), None) => format!("{o} → (none)"),
        (None, Some(n)) => format!("(none) → {n}"),
        (None, None) => String::new(),
    }
}

/// The terminal report.
pub fn text(r: &Review, label: &str) -> String {
    let mut out = format!(
        "{label}: {} v{} → {} v{}\n{}\n",
        r.old.name,
        r.old.version,
        r.new.name,
        r.new.version,
        summary(r)
    );
    for c in &r.changes {
        let _ = writeln!(out, "  {:<8}  {}: {}", c.class.name(), c.path, c.message);
        let values = old_new(c);
        if !values.is_empty() {
            let _ = writeln!(out, "            {values}");
        }
    }
    for (tensor, moved) in &r.moves {
        let _ = writeln!(out, "  columns of `{tensor}` move: {moved}");
    }
    out
}

/// A section of a pull-request comment: summary line, one table row per change, fingerprints.
pub fn markdown(r: &Review, label: &str) -> String {
    let icon = match r.verdict() {
        Verdict::NoChanges | Verdict::Safe => "✅",
        Verdict::Retrain => "🔁",
        Verdict::BreakingApproved => "⚠️",
        Verdict::Breaking | Verdict::VersionLowered => "❌",
    };
    let mut out = format!(
        "### {icon} {} — `{}` v{} → v{}\n\n**{}**\n\n",
        cell(label),
        r.new.name,
        r.old.version,
        r.new.version,
        cell(&summary(r))
    );
    if !r.changes.is_empty() {
        out.push_str("| input | change | class | old → new |\n|---|---|---|---|\n");
        for c in &r.changes {
            let values = match (&c.old, &c.new) {
                (None, None) => String::new(),
                (o, n) => format!(
                    "{} → {}",
                    o.as_deref().map_or("—".to_string(), code),
                    n.as_deref().map_or("—".to_string(), code)
                ),
            };
            let class = match c.class {
                Class::Breaking => "**breaking**".to_string(),
                other => other.name().to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {class} | {values} |",
                code(c.subject()),
                cell(&c.message)
            );
        }
        out.push('\n');
    }
    for (tensor, moved) in &r.moves {
        let _ = writeln!(
            out,
            "Columns of {} that move (a model reads them by position): {}\n",
            code(tensor),
            cell(moved)
        );
    }
    let _ = writeln!(
        out,
        "Fingerprints: old `{}` → new `{}`",
        r.old.fingerprint, r.new.fingerprint
    );
    out
}

/// The JSON layout (docs/review.md).
pub fn json(r: &Review) -> Json {
    let side = |s: &super::Side| json!({"name": s.name, "version": s.version, "fingerprint": s.fingerprint});
    json!({
        "verdict": r.verdict().name(),
        "summary": summary(r),
        "old": side(&r.old),
        "new": side(&r.new),
        "changes": r.changes.iter().map(|c| json!({
            "class": c.class.name(),
            "path": c.path,
            "message": c.message,
            "old": c.old,
            "new": c.new,
        })).collect::<Vec<_>>(),
        "moves": r.moves.iter().map(|(t, m)| json!({"tensor": t, "columns": m})).collect::<Vec<_>>(),
    })
}

/// Where a change is written in the new file: the deepest key of its path the file has
/// (`inputs.island.encode` → the `encode` key of `island`; `schema.version` → `version`), else the
/// input a tensor is named after, else the file's start.
fn location(tree: Option<&Node>, path: &str) -> usize {
    let Some(tree) = tree else {
        return 0;
    };
    let mut parts: Vec<&str> = path.split('.').collect();
    if parts.first() == Some(&"schema") {
        parts.remove(0);
    }
    let deepest = |parts: &[&str]| tree.locate(parts);
    deepest(&parts)
        .or_else(|| match parts.as_slice() {
            ["tensors", name, ..] => deepest(&["inputs", name]),
            _ => None,
        })
        .unwrap_or(0)
}

/// GitHub workflow annotations on the changed lines of the new file: unapproved breaking changes
/// are errors, other breaking and retrain changes warnings, safe changes notices.
pub fn github(r: &Review, new_file: &SourceFile, tree: Option<&Node>) -> String {
    let mut out = String::new();
    let approved = r.verdict() != Verdict::Breaking;
    for c in &r.changes {
        let kind = match c.class {
            Class::Breaking if !approved => "error",
            Class::Breaking | Class::Retrain => "warning",
            Class::Safe => "notice",
        };
        let (line, col) = new_file.line_col(location(tree, &c.path));
        let mut message = format!("{}: {}", c.path, c.message);
        let values = old_new(c);
        if !values.is_empty() {
            let _ = write!(message, "\n{values}");
        }
        let _ = writeln!(
            out,
            "::{kind} file={},line={line},col={col},title={}::{}",
            crate::diag::gh_escape(new_file.path(), true),
            crate::diag::gh_escape(&format!("tensorseam diff: {}", c.class.name()), true),
            crate::diag::gh_escape(&message, false)
        );
    }
    if r.verdict() == Verdict::Breaking || r.verdict() == Verdict::VersionLowered {
        let _ = writeln!(
            out,
            "::error file={},line=1,title={}::{}",
            crate::diag::gh_escape(new_file.path(), true),
            crate::diag::gh_escape("tensorseam diff", true),
            crate::diag::gh_escape(&summary(r), false)
        );
    }
    out
}
