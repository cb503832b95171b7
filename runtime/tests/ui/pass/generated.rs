#![deny(warnings)]
#![allow(dead_code)]

//! Every golden file of `tensorseam gen rust` for a fitted schema compiles, and its derive accepts
//! the struct. (`reviews` and `sessions` have `fit` placeholders: deriving for them is the
//! compile error `fail/unfitted_schema.rs` shows.)

mod penguins_yaml {
    include!("../../../../compiler/tests/golden/rust/penguins.yaml.rs");
}
mod penguins_seam {
    include!("../../../../compiler/tests/golden/rust/penguins.seam.rs");
}
mod digits_yaml {
    include!("../../../../compiler/tests/golden/rust/digits.yaml.rs");
}
mod digits_seam {
    include!("../../../../compiler/tests/golden/rust/digits.seam.rs");
}
mod all {
    include!("../../../../compiler/tests/golden/rust/all.seam.rs");
}
mod keywords {
    include!("../../../../compiler/tests/golden/rust/keywords.seam.rs");
}

use tensorseam::ModelInput;

fn main() {
    assert_eq!(penguins_yaml::Penguins::FINGERPRINT, penguins_seam::Penguins::FINGERPRINT);
    assert_eq!(digits_seam::Digits::SCHEMA_NAME, "digits");
    assert_eq!(keywords::Keywords::TENSORS, &["type", "match", "self", "crate", "fn"]);
}
