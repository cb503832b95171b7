//! Golden files: compared, or rewritten with `BLESS=1`.

use std::path::Path;

/// Asserts `file` holds `text`; with `BLESS=1` in the environment, writes it instead.
pub fn golden(file: &Path, text: &str) {
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(file, text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    } else {
        let expected = std::fs::read_to_string(file).unwrap_or_default();
        assert_eq!(
            expected,
            text,
            "{} differs (BLESS=1 to accept)",
            file.display()
        );
    }
}
