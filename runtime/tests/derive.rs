//! `#[derive(ModelInput)]` UI tests: each compile-fail case holds one mistake and its expected
//! compiler output (`TRYBUILD=overwrite` rewrites them); pass cases must build under
//! `#![deny(warnings)]`.

#[test]
fn ui() {
    // trybuild builds the cases in its own directory; point the macro at this crate's.
    std::env::set_var(
        "TENSORSEAM_MANIFEST_DIR_OVERRIDE",
        env!("CARGO_MANIFEST_DIR"),
    );
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
