//! The serving side of a penguins model: JSON Lines records are read into a struct that
//! `#[derive(ModelInput)]` checked against `schemas/penguins.yaml` at compile time, then encoded
//! into exactly the tensors the model was trained on.
//!
//! Run: `cargo run -p tensorseam-example-serving --bin serving -- examples/data/penguins.jsonl`

use tensorseam::ndarray::Ix2;
use tensorseam::{Batch, ModelInput, Tensor};
use tensorseam_example_serving::{read_jsonl, Penguin};

/// Reads records, encodes them, and describes the batch.
fn run(path: &str) -> Result<String, Box<dyn std::error::Error>> {
    let rows = read_jsonl(path)?;
    let batch = Penguin::encode_batch(&rows)?;
    Ok(describe(&batch))
}

fn describe(batch: &Batch) -> String {
    let mut out = format!(
        "{} v{} ({} rows), fingerprint {}\n\n",
        batch.schema(),
        batch.version(),
        batch.rows(),
        &batch.fingerprint()[..16]
    );
    for (name, tensor) in batch.tensors() {
        out.push_str(&format!(
            "{name:<10} {:<4} {:?}\n",
            tensor.dtype().to_string(),
            tensor.shape()
        ));
    }
    if let Ok(features) = batch.view::<f32, Ix2>("features") {
        out.push_str("\nfeatures, first rows:\n");
        for row in features.rows().into_iter().take(3) {
            let cells: Vec<String> = row.iter().map(|x| format!("{x:>7.3}")).collect();
            out.push_str(&format!("  [{}]\n", cells.join(" ")));
        }
    }
    if let Some(Tensor::I64(year)) = batch.get("year") {
        out.push_str(&format!(
            "year index: {:?}\n",
            year.iter().collect::<Vec<_>>()
        ));
    }
    out
}

fn main() -> std::process::ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/data/penguins.jsonl".to_string());
    match run(&path) {
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

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_the_bundled_records() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/penguins.jsonl");
        let text = super::run(path).expect("valid records");
        assert!(text.contains("penguins v3 (8 rows)"), "{text}");
        assert!(text.contains("features   f32  [8, 10]"), "{text}");
        assert!(text.contains("year       i64  [8]"), "{text}");
    }
}
