//! Only for the cross-language probe (`examples/probe.rs`): the parity tests may hand it structs
//! for randomly generated schemas in a file named by `TENSORSEAM_PROBE_STRUCTS`; without one the
//! probe gets an empty set. Nothing else in the crate uses this.

fn main() {
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
