//! The serving side of the penguins model: the request struct, checked against
//! `schemas/penguins.yaml` at compile time by `#[derive(ModelInput)]`, and reading requests from
//! JSON Lines. Two programs use it: `serving` (prints the tensor table) and `predict` (the
//! end-to-end example: applies weights trained in Python through the generated module).

use std::io::BufRead as _;
use tensorseam::ModelInput;

/// One request. The label `species` is left out: serving does not have it.
#[derive(Debug, Clone, serde::Deserialize, ModelInput)]
#[tensorseam(schema = "../../schemas/penguins.yaml")]
pub struct Penguin {
    pub bill_length_mm: Option<f32>,
    pub bill_depth_mm: Option<f32>,
    pub flipper_length_mm: Option<f32>,
    pub body_mass_g: Option<f64>,
    pub island: String,
    pub sex: Option<String>,
    pub year: i64,
}

/// Reads JSON Lines records into `Penguin`s (fields they have beyond the struct are ignored).
///
/// # Errors
/// When the file cannot be read or a line is not a record, with its line number.
pub fn read_jsonl(path: &str) -> Result<Vec<Penguin>, Box<dyn std::error::Error>> {
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut rows = Vec::new();
    for (n, line) in file.lines().enumerate() {
        let line = line?;
        if !line.trim().is_empty() {
            rows.push(
                serde_json::from_str::<Penguin>(&line)
                    .map_err(|e| format!("{path}:{}: {e}", n + 1))?,
            );
        }
    }
    Ok(rows)
}
