//! Comments through `fmt` (and `fmt --to`): formatting rewrites a schema from its IR, which has no
//! comments, so each comment is attached to an element of the document — the element on its line
//! (a comment at the end of a line) or the element after it (a comment on lines of its own) — and
//! written back beside that element in the formatted text, in either syntax.
//!
//! Elements are named by their key path in the syntax-neutral tree both front-ends build
//! (`inputs / bill_length_mm / range`), so a comment finds its element in the other syntax too.
//! Where the target syntax has no line for an element (YAML's `tensorseam: 1`, the DSL's `dtype`,
//! which sits on its input's line), the comment goes to the nearest enclosing element that has one.

use crate::source::{SourceFile, Syntax};
use crate::tree::{Node, Value};

/// Where a comment sits relative to its element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// On lines of its own before the element; `blank_before`/`blank_after`: whether a blank line
    /// separated it from what came before / from the element (kept, so grouped comments stay
    /// grouped).
    Before {
        /// A blank line before the comment.
        blank_before: bool,
        /// A blank line between the comment and its element.
        blank_after: bool,
    },
    /// At the end of the element's first line.
    Trailing,
    /// After everything (comments at the end of the file).
    End {
        /// A blank line before the comment.
        blank_before: bool,
    },
}

/// One comment: its text after `#` (as written, trailing spaces dropped), its element's key path,
/// and where it sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The text after `#`.
    pub text: String,
    /// The key path of its element (empty: the document's first line).
    pub anchor: Vec<String>,
    /// Where it sits.
    pub place: Place,
}

/// A comment found in the text: its line (from 0), its text, and whether code precedes it there.
struct Found {
    line: usize,
    text: String,
    trailing: bool,
}

/// Byte offsets where each line starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).saturating_sub(1)
}

/// The comments of DSL text: `#` outside a string, to the end of its line.
fn scan_seam(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut in_string = false;
    for (line, raw) in text.split('\n').enumerate() {
        let mut escaped = false;
        for (i, c) in raw.char_indices() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            } else if c == '#' {
                out.push(Found {
                    line,
                    text: raw[i + 1..].trim_end().to_string(),
                    trailing: !raw[..i].trim().is_empty(),
                });
                break;
            }
        }
    }
    out
}

/// The comments of YAML text: `#` at a line's start or after a space, outside quoted scalars and
/// block scalars (`|`, `>`).
fn scan_yaml(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    // Inside a block scalar: lines indented deeper than this are its content.
    let mut block: Option<usize> = None;
    for (line, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let indent = raw.len() - raw.trim_start().len();
        if let Some(at) = block {
            if raw.trim().is_empty() || indent > at {
                continue;
            }
            block = None;
        }
        let mut prev = ' ';
        let mut escaped = false;
        let mut code_end = raw.len();
        for (i, c) in raw.char_indices() {
            match quote {
                Some(q) => {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' && q == '"' {
                        escaped = true;
                    } else if c == '\'' && q == '\'' && raw[i + 1..].starts_with('\'') {
                        // `''` inside single quotes is one quote.
                        escaped = true;
                    } else if c == q {
                        quote = None;
                    }
                }
                None if (c == '"' || c == '\'') && starts_scalar(&raw[..i]) => quote = Some(c),
                None if c == '#' && prev.is_whitespace() => {
                    out.push(Found {
                        line,
                        text: raw[i + 1..].trim_end().to_string(),
                        trailing: !raw[..i].trim().is_empty(),
                    });
                    code_end = i;
                    break;
                }
                None => {}
            }
            prev = c;
        }
        let code = raw[..code_end].trim_end();
        if quote.is_none() && is_block_header(code) {
            block = Some(indent);
        }
    }
    out
}

/// Whether a quote after `before` opens a quoted scalar (rather than sitting inside plain text,
/// as the `'` of `Palmer's`).
fn starts_scalar(before: &str) -> bool {
    matches!(
        before.trim_end().chars().last(),
        None | Some(':' | '-' | '[' | '{' | ',' | '?')
    )
}

/// `key: |`, `- >-`, `key: |2`: a line whose value is a block scalar.
fn is_block_header(code: &str) -> bool {
    let Some(last) = code.split_whitespace().last() else {
        return false;
    };
    let mut chars = last.chars();
    matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| c == '-' || c == '+' || c.is_ascii_digit())
        && code.len() > last.len()
}

/// A key of the tree: its path, the line it starts on and its byte offset.
struct Anchor {
    path: Vec<String>,
    line: usize,
    offset: usize,
}

/// Every key of the tree, in order of position (lists are not entered: their items are values,
/// not elements a comment names).
fn anchors(node: &Node, starts: &[usize], path: &mut Vec<String>, out: &mut Vec<Anchor>) {
    if let Value::Map(entries) = &node.value {
        for (key, value) in entries {
            path.push(key.name.clone());
            out.push(Anchor {
                path: path.clone(),
                line: line_of(starts, key.span.start),
                offset: key.span.start,
            });
            anchors(value, starts, path, out);
            path.pop();
        }
    }
}

fn tree_anchors(tree: &Node, text: &str) -> Vec<Anchor> {
    let starts = line_starts(text);
    let mut out = Vec::new();
    anchors(tree, &starts, &mut Vec::new(), &mut out);
    out.sort_by_key(|a| (a.line, a.offset));
    out
}

/// The elements that have a line of their own among those starting on `line`. Two keys have none:
/// `tensorseam` (the format version, which the DSL folds into its `schema` line) and a section
/// (`inputs`) whose first element starts on the same line (the DSL's sections are their elements).
fn candidates(anchors: &[Anchor], line: usize) -> Vec<&Anchor> {
    let here: Vec<&Anchor> = anchors.iter().filter(|a| a.line == line).collect();
    here.iter()
        .copied()
        .filter(|a| a.path.as_slice() != ["tensorseam"])
        .filter(|a| {
            !(a.path.len() == 1
                && here
                    .iter()
                    .any(|b| b.path.len() == 2 && b.path[0] == a.path[0]))
        })
        .collect()
}

/// The element a comment on lines of its own before `line` is about: the shallowest starting
/// there, first in order.
fn on_line(anchors: &[Anchor], line: usize) -> Option<&Vec<String>> {
    candidates(anchors, line)
        .into_iter()
        .min_by_key(|a| a.path.len())
        .map(|a| &a.path)
}

/// The element a comment ending `line` is about: the last element starting there, or its
/// outermost enclosing element on that line (`input x: f32 {  # c` is about `x`, not its dtype).
fn ending(anchors: &[Anchor], line: usize) -> Option<&Vec<String>> {
    let here = candidates(anchors, line);
    let last = here.iter().max_by_key(|a| a.offset)?;
    here.iter()
        .filter(|a| last.path.starts_with(&a.path))
        .min_by_key(|a| a.path.len())
        .map(|a| &a.path)
}

/// The comments of `file`, each attached to an element of `tree` (the file's parsed document).
pub fn extract(file: &SourceFile, tree: &Node) -> Vec<Comment> {
    let text = file.text();
    let found = match Syntax::from_path(file.path()) {
        Some(Syntax::Seam) => scan_seam(text),
        _ => scan_yaml(text),
    };
    if found.is_empty() {
        return Vec::new();
    }
    let anchors = tree_anchors(tree, text);
    let lines: Vec<&str> = text.split('\n').collect();
    let blank = |l: usize| lines.get(l).is_none_or(|s| s.trim().is_empty());
    let comment_lines: std::collections::HashSet<usize> = found
        .iter()
        .filter(|f| !f.trailing)
        .map(|f| f.line)
        .collect();
    let mut out = Vec::new();
    for f in found {
        if f.trailing {
            // The element on its line, or the last one before it (a comment after a `}`).
            let anchor = ending(&anchors, f.line)
                .cloned()
                .or_else(|| {
                    anchors
                        .iter()
                        .rev()
                        .find(|a| a.line < f.line)
                        .map(|a| a.path.clone())
                })
                .unwrap_or_default();
            out.push(Comment {
                text: f.text,
                anchor,
                place: Place::Trailing,
            });
            continue;
        }
        let blank_before = f.line > 0 && blank(f.line - 1);
        // The next line that is neither blank nor a comment, and the element starting there.
        let next = (f.line + 1..lines.len()).find(|&l| !blank(l) && !comment_lines.contains(&l));
        // The element on the next line of code with one (the format-version line has none);
        // before the document's first element, the document itself.
        let first = anchors.first().map_or(usize::MAX, |a| a.line);
        let target = next.and_then(|n| {
            if f.line < first {
                return Some(Vec::new());
            }
            (n..lines.len()).find_map(|l| on_line(&anchors, l)).cloned()
        });
        match target {
            Some(anchor) => {
                out.push(Comment {
                    text: f.text,
                    anchor,
                    place: Place::Before {
                        blank_before,
                        blank_after: blank(f.line + 1) && next.is_some_and(|n| n > f.line + 1),
                    },
                });
            }
            None => out.push(Comment {
                text: f.text,
                anchor: Vec::new(),
                place: Place::End { blank_before },
            }),
        }
    }
    out
}

/// `text` (a formatted schema in `syntax`, without comments) with `comments` written back beside
/// their elements. Text that does not parse is returned unchanged.
pub fn restore(text: &str, syntax: Syntax, comments: &[Comment]) -> String {
    if comments.is_empty() {
        return text.to_string();
    }
    let path = match syntax {
        Syntax::Yaml => "formatted.yaml",
        Syntax::Seam => "formatted.seam",
    };
    let file = SourceFile::new(path, text);
    let mut diags = Vec::new();
    let Some(tree) = crate::parse(&file, &mut diags) else {
        return text.to_string();
    };
    let anchors = tree_anchors(&tree, text);
    let line_for = |anchor: &[String]| -> usize {
        // The element, or its nearest enclosing element with a line here; the first line for
        // the document itself.
        (0..=anchor.len())
            .rev()
            .find_map(|n| {
                anchors
                    .iter()
                    .find(|a| a.path.as_slice() == &anchor[..n])
                    .map(|a| a.line)
            })
            .unwrap_or(0)
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut before: Vec<Vec<String>> = vec![Vec::new(); lines.len() + 1];
    let mut trailing: Vec<Option<String>> = vec![None; lines.len() + 1];
    let mut end = Vec::new();
    for c in comments {
        match c.place {
            Place::End { blank_before } => {
                if blank_before {
                    end.push(String::new());
                }
                end.push(format!("#{}", c.text));
            }
            Place::Trailing => {
                let line = line_for(&c.anchor);
                match &mut trailing[line] {
                    slot @ None => *slot = Some(c.text.clone()),
                    // One comment ends a line; another for the same line goes above it.
                    Some(_) => before[line].push(format!("#{}", c.text)),
                }
            }
            Place::Before {
                blank_before,
                blank_after,
            } => {
                let line = line_for(&c.anchor);
                let group = &mut before[line];
                if blank_before && group.last().is_none_or(|l| !l.is_empty()) {
                    group.push(String::new());
                }
                group.push(format!("#{}", c.text));
                if blank_after {
                    group.push(String::new());
                }
            }
        }
    }
    let mut out = String::with_capacity(text.len() + comments.len() * 40);
    for (i, line) in lines.iter().enumerate() {
        let indent = &line[..line.len() - line.trim_start().len()];
        let group = &before[i];
        // A blank line the formatter put here already separates the group from what is above;
        // none goes right after a line that opens a block.
        let opens = out.trim_end().ends_with(':') || out.trim_end().ends_with('{');
        let mut skip_blank = i == 0 || out.ends_with("\n\n") || opens;
        for g in group {
            if g.is_empty() {
                if !skip_blank {
                    out.push('\n');
                }
                skip_blank = true;
            } else {
                out.push_str(indent);
                out.push_str(g);
                out.push('\n');
                skip_blank = false;
            }
        }
        out.push_str(line);
        if let Some(t) = &trailing[i] {
            out.push_str("  #");
            out.push_str(t);
        }
        out.push('\n');
    }
    if !end.is_empty() {
        let mut skip_blank = out.ends_with("\n\n");
        for e in &end {
            if e.is_empty() {
                if !skip_blank {
                    out.push('\n');
                }
                skip_blank = true;
            } else {
                out.push_str(e);
                out.push('\n');
                skip_blank = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(file: &str, text: &str) -> Vec<String> {
        let f = SourceFile::new(file, text);
        let found = match Syntax::from_path(f.path()) {
            Some(Syntax::Seam) => scan_seam(text),
            _ => scan_yaml(text),
        };
        found.into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn yaml_comments_are_found_outside_scalars() {
        let text = "# head\na: 1 # tail\nb: \"x # not\" # yes\nc: 'it''s # not'\nd: Palmer's # yes2\ne: |\n  # content\n  more\nf: a#b\n";
        assert_eq!(
            texts("s.yaml", text),
            vec![" head", " tail", " yes", " yes2"]
        );
    }

    #[test]
    fn seam_comments_are_found_outside_strings() {
        let text = "# head\nschema s v1 { # tail\n  doc \"a # b \\\" # c\"\n}\n";
        assert_eq!(texts("s.seam", text), vec![" head", " tail"]);
    }
}
