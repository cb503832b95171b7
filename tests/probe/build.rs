//! The parity tests may hand the probe structs for randomly generated schemas, in a file named by
//! `TENSORSEAM_PROBE_STRUCTS`; without one it gets none. (A crate of its own, so rebuilding it
//! with other structs rebuilds nothing else.)

fn main() {
    // The structs it shares with the runtime's parity test name their schemas relative to the
    // runtime crate; the derive resolves them from there (the override its UI tests use too).
    let manifest = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"),
    );
    println!(
        "cargo:rustc-env=TENSORSEAM_MANIFEST_DIR_OVERRIDE={}",
        manifest.join("../../runtime").display()
    );
    println!("cargo:rerun-if-env-changed=TENSORSEAM_PROBE_STRUCTS");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let text = match std::env::var_os("TENSORSEAM_PROBE_STRUCTS") {
        Some(path) => {
            println!("cargo:rerun-if-changed={}", path.to_string_lossy());
            std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("TENSORSEAM_PROBE_STRUCTS: cannot read {path:?}: {e}")
            })
        }
        None => "pub fn derive(_: &str, _: &[serde_json::Value], _: bool) -> Option<serde_json::Value> { None }\n".to_string(),
    };
    std::fs::write(out.join("probe_generated.rs"), text).expect("write probe_generated.rs");
}
