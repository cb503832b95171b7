//! Markdown for reports (`diff --format markdown`, `DATASHEET.md`): text that stays inside its
//! table cell and code spans that hold any text.

/// Text for a table cell: `|` escaped, line breaks as spaces.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// A code span holding `s` whatever it contains (a fence longer than any backtick run inside),
/// safe inside a table cell.
pub fn code(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", cell(s))
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }
}
