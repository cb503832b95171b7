// Shared by both targets: compile arbitrary bytes as a schema of one syntax, render every
// diagnostic in every format, and, when the schema checks, format it in both syntaxes and
// require the result to check to the same fingerprint (the round trip the proptest states).

use tensorseam_compiler::diag::{render, Format};
use tensorseam_compiler::{compile, compile_bytes, emit, SourceFile};

pub fn run(data: &[u8], ext: &str) {
    let name = format!("fuzz.{ext}");
    let (file, out) = compile_bytes(&name, data);
    for d in &out.diagnostics {
        for format in [Format::Human { color: true }, Format::Json, Format::Github] {
            let _ = render(d, &file, format);
        }
    }
    if let Some(checked) = out.checked {
        for (ext, text) in [
            ("yaml", emit::yaml::write(checked.schema())),
            ("seam", emit::seam::write(checked.schema())),
        ] {
            let again = compile(&SourceFile::new(format!("again.{ext}"), text.clone()));
            let Some(again) = again.checked else {
                panic!("formatted schema does not check:\n{text}\n{:?}", again.diagnostics);
            };
            assert_eq!(again.fingerprint(), checked.fingerprint(), "round trip changed the schema:\n{text}");
        }
    }
}
