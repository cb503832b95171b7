#![no_main]
// Arbitrary bytes as JSON Lines and as CSV, encoded by the dynamic path against schemas that use
// every encoding, dim kind and scaling step, strict and not, serving and training. Any outcome is
// fine except a panic (or a hang): bad records must become validation errors or read errors.

use std::sync::OnceLock;
use tensorseam::dynamic::{EncodeOptions, Schema};

fn schemas() -> &'static [Schema] {
    static S: OnceLock<Vec<Schema>> = OnceLock::new();
    S.get_or_init(|| {
        [
            ("sequences.seam", include_str!("../../runtime/tests/ui/schemas/sequences.seam")),
            ("everything.seam", include_str!("../../runtime/tests/ui/schemas/everything.seam")),
            ("scalars.seam", include_str!("../../runtime/tests/ui/schemas/scalars.seam")),
        ]
        .iter()
        .map(|(name, text)| Schema::from_text(name, text).expect("test schemas check"))
        .collect()
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let schema = &schemas()[usize::from(selector) % schemas().len()];
    let opts = EncodeOptions {
        training: selector & 4 != 0,
        strict: selector & 8 != 0,
        error_limit: 20,
        max_dim_len: if selector & 32 == 0 { tensorseam::DEFAULT_MAX_DIM_LEN } else { 8 },
    };
    let records = if selector & 16 == 0 { Schema::read_jsonl(body) } else { schema.read_csv(body) };
    if let Ok(records) = records {
        let _ = schema.encode_with(&records, &opts);
    }
});
