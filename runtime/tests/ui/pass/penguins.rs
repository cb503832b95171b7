#![deny(warnings)]
#![allow(dead_code)]

use tensorseam::ModelInput;

/// The serving struct of SPEC §4: the label `species` left out.
#[derive(ModelInput)]
#[tensorseam(schema = "../schemas/penguins.seam")]
#[derive(Clone)]
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
    encode();
}

/// Encoding through the derive: values, fills and errors.
fn encode() {
    let rows = vec![
        Penguin { bill_length_mm: Some(39.1), bill_depth_mm: None, flipper_length_mm: 181.0, body_mass_g: Some(3750.0), island: "Torgersen".into(), sex: None, year: 2007 },
        Penguin { bill_length_mm: None, bill_depth_mm: Some(17.0), flipper_length_mm: 200.0, body_mass_g: None, island: "Dream".into(), sex: Some("female".into()), year: 2050 },
    ];
    let batch = Penguin::encode_batch(&rows).expect("valid");
    let features = batch.view::<f32, tensorseam::ndarray::Ix2>("features").expect("features");
    assert_eq!(features.shape(), &[2, 10]);
    assert_eq!(features[[0, 6]], 1.0); // island one-hot in columns 4..7: Torgersen
    assert_eq!(features[[0, 9]], 1.0); // sex missing -> fill "unknown"
    assert_eq!(batch.fingerprint(), Penguin::FINGERPRINT);
    let bad = vec![Penguin { island: "Mars".into(), flipper_length_mm: f32::INFINITY, ..rows[0].clone() }];
    let errors = Penguin::encode_batch(&bad).expect_err("invalid");
    let got: Vec<(usize, &str, &str)> = errors.errors().iter().map(|e| (e.row, e.path.as_str(), e.code.as_str())).collect();
    assert_eq!(got, vec![(0, "flipper_length_mm", "non_finite"), (0, "island", "unknown_category")]);
    let mut reused = tensorseam::Batch::new("", 0, "", Vec::new());
    Penguin::encode_into(&rows, &mut reused).expect("valid");
    assert_eq!(reused, batch);
}
