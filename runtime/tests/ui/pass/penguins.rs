#![deny(warnings)]
#![allow(dead_code)]

use tensorseam::ModelInput;

/// The serving struct of SPEC §4: the label `species` left out.
#[derive(ModelInput)]
#[tensorseam(schema = "../schemas/penguins.seam")]
struct Penguin {
    bill_length_mm: Option<f32>,
    bill_depth_mm: Option<f32>,
    flipper_length_mm: f32,
    body_mass_g: Option<f64>,
    island: String,
    sex: Option<String>,
    year: i64,
}

fn main() {
    assert_eq!(Penguin::TENSORS, &["features", "year"]);
}
