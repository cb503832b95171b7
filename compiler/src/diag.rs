//! Diagnostics: what went wrong, where, and how to fix it — rendered for people (rustc style), for
//! machines (JSON) and for GitHub workflow annotations.

use crate::codes::{Code, Severity};
use crate::names::printable;
use crate::source::{SourceFile, Span};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A secondary place worth pointing at ("first defined here").
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it is.
    pub message: String,
}

/// One problem found in a schema file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// Lowercase, no trailing period, names in backticks.
    pub message: String,
    /// The primary location.
    pub span: Span,
    /// Text under the caret, if any.
    pub label: Option<String>,
    /// Other places that explain this one.
    pub secondary: Vec<Label>,
    /// A fix, where one is known.
    pub help: Option<String>,
    /// How many problems it stands for: 1, or the count of those not shown (`E0015`).
    pub count: usize,
}

impl Diagnostic {
    /// A diagnostic with a code, a message and a place.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            span,
            label: None,
            secondary: Vec::new(),
            help: None,
            count: 1,
        }
    }

    /// Adds the text under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Adds a secondary location.
    pub fn with(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a `help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// `true` for errors.
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// rustc-style text with source lines and carets.
    Human {
        /// ANSI colour.
        color: bool,
    },
    /// One JSON object per diagnostic, one per line.
    Json,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
}

/// Lines longer than this are cut to a window around the caret, so a megabyte-long junk line
/// does not flood the terminal.
const MAX_SHOWN_LINE: usize = 240;

/// Renders one diagnostic in `format`. Human output ends with a blank line; the others with `\n`.
pub fn render(diag: &Diagnostic, file: &SourceFile, format: Format) -> String {
    match format {
        Format::Human { color } => render_human(diag, file, color),
        Format::Json => format!("{}\n", to_json(diag, file)),
        Format::Github => render_github(diag, file),
    }
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

fn render_human(diag: &Diagnostic, file: &SourceFile, color: bool) -> String {
    // The count of diagnostics not shown points at no line.
    if diag.code == Code::TooManyDiagnostics {
        return format!(
            "error[{}]: {}\n\n",
            diag.code.as_str(),
            printable(&diag.message)
        );
    }
    let view = SourceView::around(file, diag);
    // Names in messages and the file's path come from files: no control reaches the terminal.
    let (message, path) = (printable(&diag.message), printable(file.path()));
    let label = diag.label.as_deref().map(printable);
    let help = diag.help.as_deref().map(printable);
    let mut snippet = Snippet::source(view.text.as_str())
        .line_start(view.first_line)
        .path(path.as_ref())
        .fold(true);
    let mut primary = AnnotationKind::Primary.span(view.map(diag.span));
    if let Some(label) = label.as_deref() {
        primary = primary.label(label);
    }
    snippet = snippet.annotation(primary);
    let secondary: Vec<_> = diag
        .secondary
        .iter()
        .map(|l| printable(&l.message))
        .collect();
    for (sec, text) in diag.secondary.iter().zip(&secondary) {
        if view.contains(sec.span) {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(view.map(sec.span))
                    .label(text.as_ref()),
            );
        }
    }
    let mut group: Group<'_> = level(diag.severity())
        .primary_title(message.as_ref())
        .id(diag.code.as_str())
        .element(snippet);
    // A secondary location outside the shown window still gets its own line.
    for (sec, text) in diag.secondary.iter().zip(&secondary) {
        if view.contains(sec.span) {
            continue;
        }
        let (line, col) = file.line_col(sec.span.start);
        group = group.element(Level::NOTE.message(format!("{text}: {path}:{line}:{col}")));
    }
    if let Some(help) = help.as_deref() {
        group = group.element(Level::HELP.message(help));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    format!("{}\n\n", renderer.render(&[group]))
}

/// Source text fit for a terminal. The renderer shows C0 controls and bidirectional marks as
/// visible symbols (as rustc does); the C1 controls it lets through (U+0080–U+009F, among them a
/// one-character escape sequence introducer) become `??`, the same two bytes long, so carets
/// still point at the right place.
fn terminal_safe(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let (shown, n) = if ('\u{80}'..='\u{9f}').contains(&c) {
                ('?', 2)
            } else {
                (c, 1)
            };
            std::iter::repeat_n(shown, n)
        })
        .collect()
}

/// The part of a file a diagnostic shows: whole lines from the first to the last annotated line,
/// or a window of one long line.
struct SourceView {
    text: String,
    /// 1-based number of the first shown line.
    first_line: usize,
    /// Byte offset in the file of `text[0]`.
    base: usize,
    /// Text bytes dropped in front (windowing) — added back by `map`.
    len: usize,
}

impl SourceView {
    fn around(file: &SourceFile, diag: &Diagnostic) -> SourceView {
        let (line, _) = file.line_col(diag.span.start);
        let mut first = line - 1;
        let mut last = line - 1;
        for sec in &diag.secondary {
            let (l, _) = file.line_col(sec.span.start);
            // Keep secondary labels that sit close; farther ones become notes.
            if l + 12 >= line && l <= line + 12 {
                first = first.min(l - 1);
                last = last.max(l - 1);
            }
        }
        let start = file.line_range(first).0;
        let end = file.line_range(last).1;
        let safe = terminal_safe(&file.text()[start..end]);
        let text = safe.as_str();
        let longest = text.split('\n').map(str::len).max().unwrap_or(0);
        if longest <= MAX_SHOWN_LINE {
            return SourceView {
                text: text.to_string(),
                first_line: first + 1,
                base: start,
                len: end - start,
            };
        }
        // One long line: show a window around the primary span only.
        let (ls, le) = file.line_range(line - 1);
        let at = file.floor_char(diag.span.start.clamp(ls, le));
        let ws = file.floor_char(at.saturating_sub(MAX_SHOWN_LINE / 2).max(ls));
        let we = file.floor_char((at + MAX_SHOWN_LINE / 2).min(le));
        SourceView {
            text: terminal_safe(&file.text()[ws..we]),
            first_line: line,
            base: ws,
            len: we - ws,
        }
    }

    fn contains(&self, span: Span) -> bool {
        span.start >= self.base && span.start <= self.base + self.len
    }

    fn map(&self, span: Span) -> std::ops::Range<usize> {
        let floor = |i: usize| {
            let mut i = i
                .saturating_sub(self.base)
                .min(self.len)
                .min(self.text.len());
            while !self.text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(span.start);
        let mut end = floor(span.end).max(start);
        // Keep carets on one line.
        if let Some(nl) = self.text[start..end].find('\n') {
            end = start + nl;
        }
        start..end
    }
}

/// The JSON form of a diagnostic (one object).
pub fn to_json(diag: &Diagnostic, file: &SourceFile) -> serde_json::Value {
    let place = |span: Span| {
        let (line, column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end);
        serde_json::json!({
            "line": line, "column": column, "end_line": end_line, "end_column": end_column,
        })
    };
    let labels: Vec<_> = diag
        .secondary
        .iter()
        .map(|l| {
            let mut v = place(l.span);
            v["message"] = l.message.clone().into();
            v
        })
        .collect();
    let mut v = place(diag.span);
    v["severity"] = match diag.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
    .into();
    v["code"] = diag.code.as_str().into();
    v["message"] = diag.message.clone().into();
    v["file"] = file.path().into();
    v["label"] = diag.label.clone().into();
    v["help"] = diag.help.clone().into();
    v["related"] = labels.into();
    v
}

/// Escapes per GitHub's workflow-command rules: `%`, CR and LF always, `:` and `,` in properties.
pub fn gh_escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

fn render_github(diag: &Diagnostic, file: &SourceFile) -> String {
    let (line, col) = file.line_col(diag.span.start);
    let (end_line, end_col) = file.line_col(diag.span.end);
    let kind = match diag.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut message = diag.message.clone();
    if let Some(help) = &diag.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{kind} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
        gh_escape(file.path(), true),
        gh_escape(diag.code.as_str(), true),
        gh_escape(&message, false),
    )
}

/// A one-line summary such as `error: 2 errors, 1 warning`.
pub fn summary(diags: &[Diagnostic]) -> Option<String> {
    let count = |error: bool| -> usize {
        diags
            .iter()
            .filter(|d| d.is_error() == error)
            .map(|d| d.count)
            .sum()
    };
    let (errors, warnings) = (count(true), count(false));
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => None,
        (0, w) => Some(format!("warning: {}", plural(w, "warning"))),
        (e, 0) => Some(format!("error: {}", plural(e, "error"))),
        (e, w) => Some(format!(
            "error: {}, {}",
            plural(e, "error"),
            plural(w, "warning")
        )),
    }
}
