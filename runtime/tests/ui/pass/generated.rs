#![deny(warnings)]
#![allow(dead_code)]

//! Every golden file of `tensorseam gen rust` compiles, and its derive accepts the struct.

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
mod reviews_yaml {
    include!("../../../../compiler/tests/golden/rust/reviews.yaml.rs");
}
mod reviews_seam {
    include!("../../../../compiler/tests/golden/rust/reviews.seam.rs");
}
mod sessions_yaml {
    include!("../../../../compiler/tests/golden/rust/sessions.yaml.rs");
}
mod sessions_seam {
    include!("../../../../compiler/tests/golden/rust/sessions.seam.rs");
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
    assert_eq!(sessions_yaml::Sessions::SCHEMA_NAME, "sessions");
    assert_eq!(keywords::Keywords::TENSORS, &["type", "match", "self", "crate", "fn"]);
}
