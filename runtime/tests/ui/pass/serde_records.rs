#![deny(warnings)]
#![allow(dead_code)]

//! Records into the derived struct: `gen rust --serde` output deserializes JSON Lines keyed by the
//! data's columns (Python's NaN tokens included), and `#[tensorseam(skip)]` keeps a field that is
//! no input (a request id) out of the schema's reach.

mod cars {
    include!("../../../../compiler/tests/golden/rust/cars.serde.rs");
}
mod keywords {
    include!("../../../../compiler/tests/golden/rust/keywords.serde.rs");
}

use tensorseam::ModelInput;

/// A serving request: an id the model never sees, and the inputs.
#[derive(ModelInput, serde::Deserialize)]
#[tensorseam(schema = "../schemas/cars.yaml")]
struct Request {
    #[tensorseam(skip)]
    request_id: String,
    #[serde(rename = "Cylinders")]
    cylinders: i64,
    #[serde(rename = "Displacement")]
    displacement: f32,
    #[serde(rename = "Horsepower")]
    horsepower: Option<f32>,
    #[serde(rename = "Weight_in_lbs")]
    weight: f32,
    #[serde(rename = "Acceleration")]
    acceleration: f32,
    #[serde(rename = "Origin")]
    origin: String,
}

fn main() {
    let body = concat!(
        "{\"Name\": \"a\", \"Cylinders\": 4, \"Displacement\": 97, \"Horsepower\": NaN, \"Weight_in_lbs\": 2130, \"Acceleration\": 14.5, \"Origin\": \"Japan\", \"Miles_per_Gallon\": 27}\n",
        "{\"Cylinders\": 8, \"Displacement\": 350, \"Weight_in_lbs\": 4100, \"Acceleration\": 12, \"Origin\": \"USA\", \"Miles_per_Gallon\": 14}\n",
    );
    let rows: Vec<cars::Cars> = tensorseam::json::lines(body.as_bytes())
        .collect::<Result<_, _>>()
        .expect("records");
    assert!(rows[0].horsepower.expect("NaN").is_nan() && rows[1].horsepower.is_none());
    let batch = cars::Cars::encode_training_batch(&rows).expect("valid");
    let features = batch.view::<f32, tensorseam::ndarray::Ix2>("features").expect("features");
    // Both horsepowers are missing: the fill 93.5, standardized.
    let filled = ((93.5f64 - 104.5) / 38.4) as f32;
    assert_eq!(features[[0, 6]], filled);
    assert_eq!(features[[1, 6]], filled);
    assert_eq!(batch.view::<f32, tensorseam::ndarray::Ix1>("mpg").expect("mpg")[1], 14.0);

    let requests = concat!(
        "{\"request_id\": \"r-1\", \"Cylinders\": 4, \"Displacement\": 97, \"Horsepower\": 88, \"Weight_in_lbs\": 2130, \"Acceleration\": 14.5, \"Origin\": \"Japan\"}\n",
    );
    let reqs: Vec<Request> = tensorseam::json::lines(requests.as_bytes())
        .collect::<Result<_, _>>()
        .expect("requests");
    assert_eq!(reqs[0].request_id, "r-1");
    let served = Request::encode_batch(&reqs).expect("valid");
    assert_eq!(served.fingerprint(), cars::Cars::FINGERPRINT);

    let bad = tensorseam::json::lines::<cars::Cars>("{\"Cylinders\": 4}\n".as_bytes())
        .next()
        .expect("a line")
        .expect_err("fields missing");
    assert_eq!(bad.line, 1);
    assert!(bad.message.contains("missing field `Displacement`"), "{bad}");
    let _ = keywords::Keywords::TENSORS;
}
