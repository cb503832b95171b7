//! `fmt` keeps comments: every bundled schema and every valid corpus file keeps all its comments
//! (the same texts, as many times) through `fmt`, `fmt --to` the other syntax and back, with its
//! fingerprint unchanged; formatting is idempotent; and the bundled schemas are already formatted
//! (`fmt --check schemas/` passes).

use std::path::{Path, PathBuf};
use tensorseam_compiler::comments::{extract, restore};
use tensorseam_compiler::source::{SourceFile, Syntax};
use tensorseam_compiler::{compile, emit};

fn files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| Syntax::from_path(&p.to_string_lossy()).is_some())
        .collect();
    out.sort();
    out
}

fn name(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Yaml => "f.yaml",
        Syntax::Seam => "f.seam",
    }
}

/// `text` (in `from`) formatted into `to`, comments kept; with its fingerprint.
fn fmt(text: &str, from: Syntax, to: Syntax) -> (String, String) {
    let file = SourceFile::new(name(from), text);
    let checked = compile(&file)
        .checked
        .unwrap_or_else(|| panic!("valid:\n{text}"));
    let mut diags = Vec::new();
    let tree = tensorseam_compiler::parse(&file, &mut diags).expect("parses");
    let body = match to {
        Syntax::Yaml => emit::yaml::write(checked.schema()),
        Syntax::Seam => emit::seam::write(checked.schema()),
    };
    (
        restore(&body, to, &extract(&file, &tree)),
        checked.fingerprint().to_string(),
    )
}

/// The comment texts of `text`, sorted.
fn comments(text: &str, syntax: Syntax) -> Vec<String> {
    let file = SourceFile::new(name(syntax), text);
    let mut diags = Vec::new();
    let tree = tensorseam_compiler::parse(&file, &mut diags).expect("parses");
    let mut texts: Vec<String> = extract(&file, &tree).into_iter().map(|c| c.text).collect();
    texts.sort();
    texts
}

#[test]
fn comments_survive_fmt_and_conversion() {
    let mut with_comments = 0;
    for path in files("../schemas")
        .into_iter()
        .chain(files("tests/corpus/ok"))
    {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("read");
        let own = Syntax::from_path(&shown).expect("syntax");
        let other = match own {
            Syntax::Yaml => Syntax::Seam,
            Syntax::Seam => Syntax::Yaml,
        };
        let want = comments(&text, own);
        with_comments += usize::from(!want.is_empty());
        let (formatted, fingerprint) = fmt(&text, own, own);
        assert_eq!(comments(&formatted, own), want, "{shown}: fmt\n{formatted}");
        let (again, same) = fmt(&formatted, own, own);
        assert_eq!(again, formatted, "{shown}: fmt is idempotent");
        assert_eq!(same, fingerprint, "{shown}");
        let (converted, f2) = fmt(&text, own, other);
        assert_eq!(
            comments(&converted, other),
            want,
            "{shown}: fmt --to\n{converted}"
        );
        assert_eq!(f2, fingerprint, "{shown}: fmt --to");
        let (back, f3) = fmt(&converted, other, own);
        assert_eq!(comments(&back, own), want, "{shown}: and back\n{back}");
        assert_eq!(f3, fingerprint, "{shown}: and back");
        assert_eq!(fmt(&back, own, own).0, back, "{shown}: back is formatted");
        if shown.contains("schemas/") {
            assert_eq!(
                formatted, text,
                "{shown}: `fmt --check` fails on a bundled schema"
            );
        }
    }
    assert!(with_comments >= 8, "{with_comments} files with comments");
}
