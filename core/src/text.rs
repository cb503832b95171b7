//! Text read from files and records, made safe to show.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must not reach a terminal or a one-line comment as itself: C0 and C1
/// controls, DEL, and the bidirectional embedding, override and isolate marks.
fn is_hazard(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from a file or a record, shown on a terminal: escape sequences, line breaks and bidi
/// marks become `\u{…}` escapes, so no name read from data can set the title, move the cursor,
/// or forge a line of output. Everything else (non-ASCII letters included) is shown as is.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hazard) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hazard(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}
