//! The documentation keeps up with the code: every diagnostic code has its section.

use tensorseam_compiler::Code;

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md"))
        .expect("docs/errors.md");
    for code in Code::ALL {
        let heading = format!("### {}: {}", code.as_str(), code.summary());
        assert!(doc.contains(&heading), "docs/errors.md lacks `{heading}`");
    }
}

#[test]
fn codes_are_unique_and_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for code in Code::ALL {
        let s = code.as_str();
        assert!(seen.insert(s), "{s} is used twice");
        assert_eq!(s.len(), 5);
        assert!(s.starts_with('E') || s.starts_with('W'));
        assert_eq!(
            s.starts_with('W'),
            code.severity() == tensorseam_compiler::Severity::Warning
        );
    }
}
