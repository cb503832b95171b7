//! The serving half of the end-to-end example: loads the weights `examples/training/train.py`
//! fitted on tensors from the generated Python module, encodes the same records through the
//! derive, and prints each record's class probabilities — which agree with the trainer's.
//!
//! Run: `cargo run -p tensorseam-example-serving --bin predict -- WEIGHTS.npz RECORDS.jsonl`
//!
//! The weights file carries the fingerprint of the schema they were trained on; a build whose
//! struct was checked against another schema refuses them.

use tensorseam::files;
use tensorseam::ndarray::{Array1, Array2, Ix1, Ix2};
use tensorseam::{ModelInput, Tensor};
use tensorseam_example_serving::{read_jsonl, Penguin};

/// A softmax regression: `probabilities = softmax(features · w + b)`.
struct Model {
    w: Array2<f64>,
    b: Array1<f64>,
}

fn load(path: &str) -> Result<Model, Box<dyn std::error::Error>> {
    let file = files::read(std::path::Path::new(path))?;
    let trained = file.meta.as_ref().map(|m| m.fingerprint.as_str());
    if trained != Some(Penguin::FINGERPRINT) {
        return Err(format!(
            "{path} was trained on schema fingerprint {}, this build serves {}: retrain or rebuild",
            trained.unwrap_or("(none)"),
            Penguin::FINGERPRINT
        )
        .into());
    }
    let get = |name: &str| {
        file.entries
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, e)| match &e.tensor {
                Some(Tensor::F64(a)) => Some(a.clone()),
                _ => None,
            })
            .ok_or_else(|| format!("{path}: no f64 array `{name}`"))
    };
    Ok(Model {
        w: get("w")?.into_dimensionality::<Ix2>()?,
        b: get("b")?.into_dimensionality::<Ix1>()?,
    })
}

fn run(weights: &str, records: &str) -> Result<String, Box<dyn std::error::Error>> {
    let model = load(weights)?;
    let rows = read_jsonl(records)?;
    let batch = Penguin::encode_batch(&rows)?;
    let features = batch.view::<f32, Ix2>("features")?;
    let mut out = String::new();
    for x in features.rows() {
        let logits: Vec<f64> = (0..model.b.len())
            .map(|k| {
                x.iter().enumerate().fold(model.b[k], |acc, (i, v)| {
                    acc + f64::from(*v) * model.w[[i, k]]
                })
            })
            .collect();
        let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = logits.iter().map(|l| (l - top).exp()).collect();
        let total: f64 = exp.iter().sum();
        let probs: Vec<String> = exp.iter().map(|e| format!("{:.17e}", e / total)).collect();
        out.push_str(&probs.join(" "));
        out.push('\n');
    }
    Ok(out)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(weights), Some(records)) = (args.first(), args.get(1)) else {
        eprintln!("usage: predict WEIGHTS.npz RECORDS.jsonl");
        return std::process::ExitCode::from(2);
    };
    match run(weights, records) {
        Ok(text) => {
            print!("{text}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
